"""The kernel: base models, authorization, audit, notify, registry. It knows nothing of schools."""
