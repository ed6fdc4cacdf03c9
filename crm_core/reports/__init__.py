"""Reports and the home dashboard: read-only figures over prospects, tasks,
activities and offers, in the instance's time zone, with the role rules in
every query (sales count only their own)."""
