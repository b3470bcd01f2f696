"""Cartable: an open-source school digital workspace (ENT)."""
