"""Offers to accounts: lines of products and services, totals in Decimal, status, expiry."""
