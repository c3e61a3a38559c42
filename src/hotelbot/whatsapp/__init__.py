"""WhatsApp Cloud API channel: the only code that knows Meta's JSON (webhooks in, Graph API out)."""
