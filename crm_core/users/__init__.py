"""People who sign in: accounts, roles, passwords (argon2id) and server-side sessions."""
