"""Which database the hub talks to: a URL, or the embedded server it starts and supervises."""
