"""Domain-free building blocks; nothing here imports hotelbot code outside kit."""
