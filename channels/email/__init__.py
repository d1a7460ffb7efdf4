"""Email: SMTP listener and IMAP polling in, SMTP out through the outbox, bounces back."""
