"""Governance of an establishment: which modules it uses (its educational project's shape)."""
