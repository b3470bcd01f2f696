"""Bulletins: the demo region's data."""

from __future__ import annotations


def load_demo(personas) -> None:
    """Fill the demo region (nothing yet)."""
