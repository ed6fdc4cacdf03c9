"""Tasks (on a record or independent), the Tasks page's queries, mass creation, and the
templates that create tasks when a prospect enters a status."""
