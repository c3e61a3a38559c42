"""hotelbot: a WhatsApp concierge for hotels."""
