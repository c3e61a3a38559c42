"""The conversation engine: one guest message in, new state and replies out (`turn.handle_turn`)."""
