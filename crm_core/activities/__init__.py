"""Calls, emails and meetings logged or planned on a prospect (later an account or offer)."""
