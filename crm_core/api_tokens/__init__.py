"""Personal API tokens: a user's key to the REST API, acting with that user's role."""
