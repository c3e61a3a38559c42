"""The worker process: runs background jobs (`hotelbot worker`, or inside `hotelbot run`)."""
