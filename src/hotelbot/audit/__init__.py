"""The audit log: who did what to which record, append-only and hash-chained."""
