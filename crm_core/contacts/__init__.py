"""Contact persons on a prospect (later on an account): name, job title, department, phone, email, one primary."""
