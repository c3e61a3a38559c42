"""Conversations, the unit of locking and ordering: inbox, outbox, jobs, console service."""
