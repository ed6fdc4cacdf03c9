"""Free-text notes on a prospect (later an account or offer)."""
