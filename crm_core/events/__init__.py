"""Domain events (``prospect.created``, ``task.completed``, …) written to an
outbox table in the same transaction as the change, for webhooks and e-mail
notifications to deliver afterwards — so a crash between the commit and the
delivery loses nothing."""
