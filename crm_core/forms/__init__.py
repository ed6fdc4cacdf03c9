"""Web forms: their configuration, the definition the public side serves and
validates against, allowed domains, visitor texts per language, the demo form."""
