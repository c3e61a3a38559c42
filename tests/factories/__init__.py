"""Plain async factories, one module per domain: they take `session` first and flush."""
