"""HTTP plumbing every view shares: JSON and errors, request parsing, query parameters."""
