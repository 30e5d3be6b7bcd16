"""The HTTP API: the app factory, dependencies and the one error handler."""
