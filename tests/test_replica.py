"""The database router on a real streaming replica: lag-tolerant pages read it, a person reads their own writes,
a replica that lags or does not answer is not used, and PgBouncer's transaction mode is recognised at start.

These tests start their own primary and replica (tests/support/replica.py), so they run once per CI, in its
PostgreSQL run (they copy the test database pytest-django has migrated there); on SQLite they are skipped.
"""

from __future__ import annotations

import time
from unittest import mock

import dj_database_url
import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.client import ClientHandler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.core import dbrouter, startup
from cartable.demo.personas import build_personas
from cartable.directory.actor import Actor
from cartable.news import actions as news_actions
from cartable.news.models import NewsItem
from tests.support import replica

COOKIE = "cartable_primary"


def _swap_databases(new: dict) -> tuple[dict, dict]:
    saved_settings = connections.settings
    saved = {alias: connections[alias] for alias in saved_settings}
    connections.__dict__["settings"] = connections.configure_settings(new)
    for alias in saved:
        delattr(connections._connections, alias)
    return saved_settings, saved


def _restore_databases(saved_settings: dict, saved: dict) -> None:
    connections.close_all()
    for alias in connections.settings:
        if hasattr(connections._connections, alias):
            delattr(connections._connections, alias)
    connections.__dict__["settings"] = saved_settings
    for alias, connection in saved.items():
        connections[alias] = connection


@pytest.fixture(scope="module")
def topology(django_db_setup, django_db_blocker):
    """The running pair with the persona school on its primary, and the settings of the two aliases."""
    with django_db_blocker.unblock():
        source = connections["default"]
        if source.vendor != "postgresql":
            pytest.skip("runs once per CI, in its PostgreSQL run (set DATABASE_URL=postgres://…)")
        if reason := replica.missing():
            pytest.skip(reason)
        params = source.settings_dict
        source_url = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}/{params['NAME']}"
        source.close()
        pair = replica.start_pair(source_url=source_url)
        primary = dj_database_url.parse(pair.url(pair.primary_port))
        secondary = dj_database_url.parse(pair.url(pair.replica_port))
        secondary["OPTIONS"] = {"connect_timeout": 2}
        aliases = {"default": primary, "replica": secondary}
        try:
            saved = _swap_databases(aliases)
            try:
                school = build_personas()
            finally:
                _restore_databases(*saved)
            pair.wait_until_replayed()
            yield pair, school, aliases
        finally:
            replica.stop_pair(pair)


@pytest.fixture
def pair(topology, transactional_db, django_db_blocker):
    """Django's connections pointed at the pair (primary and replica aliases) for one test, with the router.

    Set up after ``transactional_db`` and so torn down before it: its flush empties the suite's own test
    database, as after any TransactionTestCase, not the pair's (no test transaction may wrap these tests: the
    replica sees only what is committed). The marker also keeps these tests in CI's database-only run."""
    running, _, aliases = topology
    saved = _swap_databases(aliases)
    overrides = override_settings(
        DATABASE_ROUTERS=["cartable.core.dbrouter.ReplicaRouter"],
        CARTABLE_REPLICA_MAX_LAG_SECONDS=30.0,
        CARTABLE_REPLICA_CHECK_SECONDS=0.0,  # measured at every read: the tests change the replica's state
    )
    overrides.enable()
    dbrouter.forget_replica_state()
    try:
        # Django's guard against connections to aliases a test did not declare is for the suite's database; the
        # pair's aliases are these tests' own servers.
        real = django_db_blocker._real_ensure_connection
        with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", real):
            yield running
    finally:
        dbrouter.forget_replica_state()
        overrides.disable()
        _restore_databases(*saved)


@pytest.fixture
def school(topology):
    return topology[1]


@pytest.mark.django_db
def test_without_a_replica_there_is_no_router_and_no_middleware():
    """Without DATABASE_REPLICA_URL (the rest of the suite), every read goes to the one database."""
    from django.conf import settings

    assert settings.DATABASE_ROUTERS == []
    assert not dbrouter.replica_configured()
    handler = ClientHandler()
    handler.load_middleware()
    used = {type(method.__self__) for method in handler._exception_middleware}
    assert dbrouter.ReplicaReadsMiddleware not in used


def signed_in(pair, user, **options) -> Client:
    """A browser signed in as ``user``, whose session the replica has replayed and need not write again soon."""
    client = Client(**options)
    client.force_login(user)
    pair.wait_until_replayed()
    client.get(reverse("news:index"))  # the first page records the session's activity (a write)
    pair.wait_until_replayed()
    client.cookies.pop(COOKIE, None)
    return client


def marked() -> str:
    """The value of the read-your-writes cookie signed now, as the middleware signs it."""
    response = HttpResponse()
    response.set_signed_cookie(COOKIE, "1", salt=dbrouter.COOKIE_SALT)
    return response.cookies[COOKIE].value


def publish(school, title: str):
    principal = school.people["marc.leroy"]
    return news_actions.publish_news(
        actor=Actor(principal),
        establishment_id=school.college.establishment.pk,
        audience=NewsItem.Audience.EVERYONE,
        title=title,
    )


def queries_on(client: Client, url: str):
    """The response, and the number of reads (SELECT) made on the replica and on the primary to answer it."""
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(url)

    def reads(captured):
        sqls = [query["sql"].lstrip() for query in captured.captured_queries]
        return sum(1 for sql in sqls if sql.upper().startswith("SELECT") and "pg_is_in_recovery" not in sql)

    return response, reads(on_replica), reads(on_primary)


def test_a_page_that_tolerates_lag_reads_the_replica_and_others_the_primary(pair, school):
    """The news list (listed in CARTABLE_REPLICA_VIEWS) reads only the replica; the dashboard only the primary."""
    lucas = signed_in(pair, school.people["lucas.martin"])
    response, on_replica, on_primary = queries_on(lucas, reverse("news:index"))
    assert response.status_code == 200
    assert on_replica > 0
    assert on_primary == 0
    response, on_replica, on_primary = queries_on(lucas, reverse("dashboard:home"))
    assert response.status_code == 200
    assert on_replica == 0
    assert on_primary > 0


def test_a_writer_reads_their_own_writes_while_others_may_read_the_replica_behind(pair, school):
    """With the replica's replay paused, the principal who has just posted sees the new news item (the cookie
    sends them to the primary); a student still reads the replica and sees it once the replica has replayed."""
    principal = signed_in(pair, school.people["marc.leroy"])
    lucas = signed_in(pair, school.people["lucas.martin"])
    pair.pause_replay()
    try:
        item = publish(school, "Sortie au musée reportée")
        response = principal.post(reverse("accounts:set_language"), {"language": "fr", "next": "/"})
        assert response.status_code == 302
        assert COOKIE in response.cookies, "a write marks the person for the primary"
        pair.wait_until_received()
        response, on_replica, on_primary = queries_on(principal, reverse("news:index"))
        assert item.title in response.content.decode()
        assert (on_replica, on_primary > 0) == (0, True)
        response, on_replica, _ = queries_on(lucas, reverse("news:index"))
        assert on_replica > 0, dbrouter.measure_replica()
        assert item.title not in response.content.decode(), "the replica has not replayed the item yet"
    finally:
        pair.resume_replay()
    assert item.title in lucas.get(reverse("news:index")).content.decode()


def test_the_mark_ends_after_the_window(pair, school):
    """A read-your-writes cookie older than CARTABLE_READ_YOUR_WRITES_SECONDS no longer holds the primary."""
    principal = signed_in(pair, school.people["marc.leroy"])
    past = time.time() - 60
    with mock.patch("django.core.signing.time.time", return_value=past):
        principal.cookies[COOKIE] = marked()
    _, on_replica, on_primary = queries_on(principal, reverse("news:index"))
    assert on_replica > 0
    assert on_primary == 0
    principal.cookies[COOKIE] = marked()
    _, on_replica, _ = queries_on(principal, reverse("news:index"))
    assert on_replica == 0


def test_a_replica_further_behind_than_the_bound_is_not_read(pair, school):
    """Paused with WAL received but not replayed, the replica reports a lag; over the bound, reads go to the
    primary and the page shows the fresh item."""
    lucas = signed_in(pair, school.people["lucas.martin"])
    pair.pause_replay()
    try:
        item = publish(school, "Conseil de classe avancé")
        pair.wait_until_received()
        state = dbrouter.measure_replica()
        assert state.reason == "lagging" or state.usable  # within the module's 30 s bound: still usable
        assert state.lag_seconds is not None and state.lag_seconds > 0
        with override_settings(CARTABLE_REPLICA_MAX_LAG_SECONDS=state.lag_seconds / 2):
            dbrouter.forget_replica_state()
            assert dbrouter.replica_state().reason == "lagging"
            response, on_replica, on_primary = queries_on(lucas, reverse("news:index"))
        assert on_replica == 0, "only the lag measures"
        assert on_primary > 0
        assert item.title in response.content.decode()
    finally:
        pair.resume_replay()
    assert dbrouter.measure_replica().usable


def test_a_stopped_replica_sends_reads_to_the_primary(pair, school):
    """A replica that dies while it is believed up: the GET that fails on it is answered again from the primary,
    the next ones go to the primary at once, the start check warns; once back and streaming, it is read again."""
    # The first answer's error is logged by the handler, not raised into the test: the retry answers the page.
    lucas = signed_in(pair, school.people["lucas.martin"], raise_request_exception=False)
    with override_settings(CARTABLE_REPLICA_CHECK_SECONDS=3600):
        assert dbrouter.replica_state().usable  # measured now, believed for an hour
        assert queries_on(lucas, reverse("news:index"))[1] > 0  # a connection to the replica is open
        pair.stop_replica()
        try:
            for _ in range(2):
                with CaptureQueriesContext(connections["default"]) as on_primary:
                    response = lucas.get(reverse("news:index"))
                assert response.status_code == 200
                assert len(on_primary) > 0
            assert dbrouter.replica_state().reason == "unreachable"
            warnings = startup.findings().warnings
            assert any("ne répond pas" in warning for warning in warnings), warnings
        finally:
            pair.start_replica()
    _, on_replica, _ = queries_on(lucas, reverse("news:index"))
    assert on_replica > 0


def test_reads_inside_a_transaction_and_outside_requests_use_the_primary(pair, school):
    """No request context (commands, workers): the primary; inside an atomic block too."""
    assert not dbrouter.reading_replica()
    token = dbrouter._reads_replica.set(True)
    try:
        assert dbrouter.reading_replica()
        with transaction.atomic():
            assert not dbrouter.reading_replica()
    finally:
        dbrouter._reads_replica.reset(token)


def test_what_is_cached_while_reading_the_replica_lives_a_few_seconds(pair, school):
    """A value cached from the replica is kept CARTABLE_REPLICA_CACHE_SECONDS at most."""
    token = dbrouter._reads_replica.set(True)
    try:
        with override_settings(CARTABLE_REPLICA_CACHE_SECONDS=5):
            assert dbrouter.cap_cache_timeout(3600) == 5
            assert dbrouter.cap_cache_timeout(None) == 5
            assert dbrouter.cap_cache_timeout(2) == 2
    finally:
        dbrouter._reads_replica.reset(token)
    assert dbrouter.cap_cache_timeout(3600) == 3600


def test_pgbouncer_in_transaction_mode_is_recognised_at_start(pair):
    """Through PgBouncer in transaction mode, the start refuses a configuration with server-side cursors on;
    a direct connection is recognised as keeping its session."""
    if not pair.bouncer_port:
        pytest.skip("pgbouncer is not installed (.ci/run installs it)")
    assert startup.pooling_mode("default") == "session"
    saved = connections["default"].settings_dict
    pooled = dict(saved, PORT=pair.bouncer_port)
    connections["default"].close()
    connections["default"].settings_dict = pooled
    try:
        assert startup.pooling_mode("default") == "transaction"
        found = startup.Findings()
        startup.check_primary(found)
        assert any("CARTABLE_DB_POOLING=transaction" in error for error in found.errors), found.errors
        connections["default"].close()
        connections["default"].settings_dict = dict(pooled, DISABLE_SERVER_SIDE_CURSORS=True)
        found = startup.Findings()
        startup.check_primary(found)
        assert found.errors == []
    finally:
        connections["default"].close()
        connections["default"].settings_dict = saved
