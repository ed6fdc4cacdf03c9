"""Text handling shared by every aggregate: diacritics-folded search text,
what a database can store, and the one place admin-authored rich text is
sanitised (bleach)."""
