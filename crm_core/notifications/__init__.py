"""E-mail notifications: who gets told what (new prospect → its owner, task
assigned → the assignee, task reminders, a disabled webhook endpoint →
admins, a form's autoresponder → the visitor), rendered from templates in
the recipient's language into a mail outbox the worker sends through SMTP."""
