"""The Leadcapture domain: SQLAlchemy models and the services that both the web
app and the workers call. Knows nothing of Flask or RQ on purpose, so a CLI, a
job or a request all go through the same rules."""
