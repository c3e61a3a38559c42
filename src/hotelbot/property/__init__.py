"""Properties (hotels): lookup by WhatsApp number, creation."""
