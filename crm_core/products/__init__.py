"""The products and services catalogue offer lines are picked from."""
