"""The service layer: what the API and the inbox UI both do (check, do, notify)."""
