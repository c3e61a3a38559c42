"""Guests: found by a keyed hash of their WhatsApp number, never by the number in clear."""
