"""Where a reply leaves: queued replies, attachments, signed media links, the dispatcher."""
