"""HTTP entry point of the chatbot: assembly only (webhook, console, admin, health, metrics)."""
