"""Reads of the pages that tolerate a little lag go to the read replica; everything else to the primary.

The decision is made once per request by :class:`ReplicaReadsMiddleware` (at the top of the stack, before the
session and the actor are read) and kept in a context variable that :class:`ReplicaRouter` reads:

- only GET and HEAD requests to a view named in ``CARTABLE_REPLICA_VIEWS`` read the replica;
- a person who has just written (any POST, PUT, PATCH or DELETE) carries a signed cookie that sends their next
  requests to the primary for ``CARTABLE_READ_YOUR_WRITES_SECONDS``: they always read their own writes;
- inside a transaction, or once the request has written, reads go to the primary (an action reads what it
  is about to change where it changes it);
- a GET that fails (5xx) because the replica died since its last measure is answered again from the primary;
- a replica that lags more than ``CARTABLE_REPLICA_MAX_LAG_SECONDS``, that is not streaming from its primary,
  or that does not answer is not used; its state is measured at most every ``CARTABLE_REPLICA_CHECK_SECONDS``
  per process (:func:`replica_state`);
- background work, commands and the shell never read the replica (no request, no context).

Values cached while reading the replica are kept a few seconds at most (:func:`cap_cache_timeout`, applied by
``core.cache.ResilientRedisCache``): a fragment an action has just forgotten must not be cached again, for a
minute or an hour, from rows the replica has not replayed yet.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DatabaseError, connections
from django.urls import Resolver404, resolve

log = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
COOKIE_SALT = "cartable.read-your-writes"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# Lag in seconds: none when the replica has replayed all it received, else the age of the last transaction it
# replayed. Streaming: the WAL receiver is connected (a replica cut from its primary would report no lag).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0.0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float, 1e9) END
"""

_reads_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("cartable_reads_replica", default=False)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("cartable_request_wrote", default=False)


@dataclass(frozen=True)
class ReplicaState:
    """What the last look at the replica found."""

    usable: bool
    reason: str  # "ok", "lagging", "not streaming", "not a replica", "unreachable"
    lag_seconds: float | None
    checked_at: float  # time.monotonic()


_state: ReplicaState | None = None
_state_lock = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in connections.settings


def measure_replica() -> ReplicaState:
    """Ask the replica how far behind it is (one query), and decide whether it may serve reads."""
    now = time.monotonic()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            in_recovery, streaming, lag = cursor.fetchone()
    except DatabaseError as exc:
        log.warning("Read replica unreachable (%s): reads go to the primary.", exc)
        connections[REPLICA].close()
        return ReplicaState(False, "unreachable", None, now)
    lag = float(lag)
    if not in_recovery:
        return ReplicaState(False, "not a replica", None, now)
    if not streaming:
        return ReplicaState(False, "not streaming", lag, now)
    if lag > settings.CARTABLE_REPLICA_MAX_LAG_SECONDS:
        log.warning("Read replica %.1f s behind: reads go to the primary.", lag)
        return ReplicaState(False, "lagging", lag, now)
    return ReplicaState(True, "ok", lag, now)


def replica_state() -> ReplicaState:
    """The replica's state, measured again when the last measure is older than CARTABLE_REPLICA_CHECK_SECONDS."""
    global _state
    state = _state
    if state is not None and time.monotonic() - state.checked_at < settings.CARTABLE_REPLICA_CHECK_SECONDS:
        return state
    with _state_lock:
        state = _state
        if state is None or time.monotonic() - state.checked_at >= settings.CARTABLE_REPLICA_CHECK_SECONDS:
            state = _state = measure_replica()
    return state


def forget_replica_state() -> None:
    """Measure the replica again at the next read (tests; after a failure on the replica)."""
    global _state
    _state = None


def reading_replica() -> bool:
    """Whether the reads made now would go to the replica."""
    return (
        _reads_replica.get()
        and not _wrote.get()
        and not connections[PRIMARY].in_atomic_block
        and replica_state().usable
    )


def cap_cache_timeout(timeout: float | None) -> float | None:
    """The cache lifetime to use now (None: forever): at most CARTABLE_REPLICA_CACHE_SECONDS while reading the
    replica."""
    if not _reads_replica.get() or not reading_replica():
        return timeout
    cap = settings.CARTABLE_REPLICA_CACHE_SECONDS
    return cap if timeout is None or timeout > cap else timeout


class ReplicaRouter:
    """Django's database router: reads to the replica when the request allows it, writes to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if reading_replica() else PRIMARY

    def db_for_write(self, model, **hints):
        if _reads_replica.get():
            _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: an object read from one may point to an object of the other.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """Decides, before anything reads the database, whether this request may read the replica.

    Not used (removed by Django at start) when no replica is configured.
    """

    def __init__(self, get_response) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.views = frozenset(settings.CARTABLE_REPLICA_VIEWS)
        self.window = settings.CARTABLE_READ_YOUR_WRITES_SECONDS
        self.cookie = settings.CARTABLE_READ_YOUR_WRITES_COOKIE

    def __call__(self, request):
        allowed = request.method in SAFE_METHODS and not self.wrote_recently(request) and self.tolerates_lag(request)
        response, wrote = self.answer(request, allowed)
        if allowed and not wrote and response.status_code >= 500:
            # The replica may have died since it was last measured (its connections broken): measure it now,
            # and if it is gone, answer this GET, which wrote nothing, again from the primary.
            forget_replica_state()
            if not replica_state().usable:
                log.warning("Read replica failed during %s: answered again from the primary.", request.path)
                response, _ = self.answer(request, False)
        if request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                self.cookie,
                "1",
                salt=COOKIE_SALT,
                max_age=int(self.window) + 1,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def answer(self, request, allowed: bool):
        reads_token = _reads_replica.set(allowed)
        wrote_token = _wrote.set(False)
        try:
            return self.get_response(request), _wrote.get()
        finally:
            _reads_replica.reset(reads_token)
            _wrote.reset(wrote_token)

    def wrote_recently(self, request) -> bool:
        if self.cookie not in request.COOKIES:
            return False
        value = request.get_signed_cookie(self.cookie, default=None, salt=COOKIE_SALT, max_age=self.window)
        return value is not None

    def tolerates_lag(self, request) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in self.views
