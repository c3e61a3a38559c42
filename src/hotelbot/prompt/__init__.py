"""Prompt templates: per property and language, versioned in the database, rendered in a
Jinja2 sandbox with declared variables only; defaults ship with the code."""
