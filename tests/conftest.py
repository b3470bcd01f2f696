"""Shared test setup: the persona school (see cartable/demo/personas.py) and a fresh cache per test."""

import os

import pytest
from django.core.cache import cache
from django.test import TransactionTestCase

DATABASE_FIXTURES = {"db", "transactional_db", "live_server"}


def uses_the_database(item: pytest.Item) -> bool:
    """Whether a test touches the suite's database: a Django TestCase or TransactionTestCase (not a
    SimpleTestCase), or a test asking for a database fixture, directly or through its fixtures."""
    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return True
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``CARTABLE_TESTS_DATABASE_ONLY=1`` keeps only the tests that touch the database.

    CI runs the suite twice, on SQLite then on PostgreSQL; a test that touches no database (a parser, the
    AST conventions, the catalogue, ``cartable demo`` in a subprocess on its own SQLite file) would only run a
    second time unchanged, so the PostgreSQL run sets this and leaves them to the SQLite run."""
    if os.environ.get("CARTABLE_TESTS_DATABASE_ONLY") != "1":
        return
    kept = [item for item in items if uses_the_database(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if not uses_the_database(item)])
        items[:] = kept


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: what a rolled-back test cached (current charters...) must not
    leak into the next one, where it would describe rows that no longer exist."""
    cache.clear()
    yield
