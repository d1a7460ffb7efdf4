"""The JSON API: handlers and presenters over the service layer."""
