"""Shared test setup: the persona school (see cartable/demo/personas.py) and a fresh cache per test."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: what a rolled-back test cached (current charters...) must not
    leak into the next one, where it would describe rows that no longer exist."""
    cache.clear()
    yield
