"""The built-in PMS: our own tables, for the demo hotel and small hotels without a PMS."""
