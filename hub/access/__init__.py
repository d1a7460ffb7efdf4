"""Who is asking: sign-in sessions, API tokens, CSRF, roles, passwords."""
