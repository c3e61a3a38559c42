"""PMS adapters: one per PMS product, each satisfying `base.PmsAdapter`."""
