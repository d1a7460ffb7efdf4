"""Where a customer message enters: ingest, identities, recovery of kept raw payloads."""
