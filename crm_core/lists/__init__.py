"""The admin-editable lists prospects and forms point at: statuses (with their
kind: open, qualified, converted, junk), sources and priorities."""
