"""Test doubles at the edges (queue, network) — real code everywhere else."""
