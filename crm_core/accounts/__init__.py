"""Accounts: the customers prospects become (companies or persons), with their records."""
