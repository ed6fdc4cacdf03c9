"""Prospects (leads): intake from submissions, edits by hand with history,
the list's filters and pages, who sees what, saved filters."""
