"""The databases, read from the environment: the primary, an optional read replica, PgBouncer's pooling mode.

``settings.py`` calls :func:`databases`; a wrong value stops Cartable at start with a message that names the
variable (never its password), rather than serving with a configuration that would give wrong data.

- ``DATABASE_URL``: the primary (``postgres://…`` or ``sqlite:///…``).
- ``DATABASE_REPLICA_URL``: a streaming read replica of that primary (PostgreSQL only).
- ``CARTABLE_DB_POOLING``: ``transaction`` when PgBouncer in transaction mode stands between Cartable and
  PostgreSQL: server-side cursors are then turned off (a cursor would outlive the transaction that holds its
  server connection) and so are psycopg's automatically prepared statements. ``session`` (or unset) for a
  direct connection or PgBouncer in session mode. ``cartable serve`` and ``cartable worker`` check at start
  that the value matches what they find (``core.startup``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

POSTGRES_ENGINE = "django.db.backends.postgresql"
SQLITE_ENGINE = "django.db.backends.sqlite3"
POOLING_MODES = ("session", "transaction")


def shown(url: str) -> str:
    """The address without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":•••@", 1)
    return parts._replace(netloc=netloc).geturl()


def _parse(variable: str, url: str, *, pooling: str) -> dict[str, Any]:
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(
                url,
                conn_max_age=600,
                conn_health_checks=True,
                disable_server_side_cursors=pooling == "transaction",
            )
        )
    except Exception as exc:  # dj_database_url raises several kinds for a bad address
        raise ImproperlyConfigured(
            f"{variable}={shown(url)} n'est pas une adresse de base de données valide ({exc}). "
            "Attendu : postgres://utilisateur:mot-de-passe@hôte:5432/base ou sqlite:///chemin/fichier.sqlite3."
        ) from exc
    if config["ENGINE"] not in (POSTGRES_ENGINE, SQLITE_ENGINE):
        raise ImproperlyConfigured(f"{variable}={shown(url)} : Cartable fonctionne sur PostgreSQL ou SQLite.")
    if config["ENGINE"] == POSTGRES_ENGINE and not config.get("NAME"):
        raise ImproperlyConfigured(f"{variable}={shown(url)} ne nomme pas de base (…/nom-de-la-base).")
    return config


def databases(environ: Mapping[str, str], *, default_url: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """``DATABASES`` and ``DATABASE_ROUTERS`` for this environment; ImproperlyConfigured when they make no sense."""
    pooling = environ.get("CARTABLE_DB_POOLING", "").strip().lower() or "session"
    if pooling not in POOLING_MODES:
        raise ImproperlyConfigured(
            f"CARTABLE_DB_POOLING={pooling!r} : valeurs possibles « session » (ou rien) et « transaction »."
        )
    primary = _parse("DATABASE_URL", environ.get("DATABASE_URL") or default_url, pooling=pooling)
    if primary["ENGINE"] == POSTGRES_ENGINE and pooling == "transaction":
        # psycopg prepares a statement run five times on one connection; PgBouncer in transaction mode would
        # then send its EXECUTE to another server connection, which never saw the PREPARE.
        primary.setdefault("OPTIONS", {})["prepare_threshold"] = None
    elif primary["ENGINE"] == SQLITE_ENGINE and pooling == "transaction":
        raise ImproperlyConfigured("CARTABLE_DB_POOLING=transaction n'a de sens qu'avec PostgreSQL (DATABASE_URL).")
    found = {"default": primary}
    routers: list[str] = []
    if replica_url := environ.get("DATABASE_REPLICA_URL"):
        if primary["ENGINE"] != POSTGRES_ENGINE:
            raise ImproperlyConfigured("DATABASE_REPLICA_URL demande un primaire PostgreSQL (DATABASE_URL).")
        # The replica is reached directly (a hot standby keeps no session state that matters): no pooling mode.
        replica = _parse("DATABASE_REPLICA_URL", replica_url, pooling="session")
        if replica["ENGINE"] != POSTGRES_ENGINE:
            raise ImproperlyConfigured(
                f"DATABASE_REPLICA_URL={shown(replica_url)} : la réplique doit être un PostgreSQL."
            )
        # A replica that does not answer must not hold a page for long: its reads then go to the primary.
        replica.setdefault("OPTIONS", {})["connect_timeout"] = 2
        # Tests run on one database: the replica alias reads the test primary.
        replica["TEST"] = {"MIRROR": "default"}
        found["replica"] = replica
        routers = ["cartable.core.dbrouter.ReplicaRouter"]
    return found, routers


def replica_timing(environ: Mapping[str, str]) -> tuple[float, float, float, float]:
    """The replica's lag bound, how often it is measured, the read-your-writes window and the cache cap (s)."""
    try:
        max_lag = float(environ.get("CARTABLE_REPLICA_MAX_LAG_SECONDS", "2"))
        check = float(environ.get("CARTABLE_REPLICA_CHECK_SECONDS", "1"))
        window = float(environ.get("CARTABLE_READ_YOUR_WRITES_SECONDS", "5"))
        cache_cap = float(environ.get("CARTABLE_REPLICA_CACHE_SECONDS", "5"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"Durée de la réplique invalide : {exc}") from exc
    if window < max_lag + check:
        # After the window, the person reads the replica, which may be max_lag behind as measured check ago.
        raise ImproperlyConfigured(
            f"CARTABLE_READ_YOUR_WRITES_SECONDS ({window:g}) doit être au moins CARTABLE_REPLICA_MAX_LAG_SECONDS "
            f"+ CARTABLE_REPLICA_CHECK_SECONDS ({max_lag + check:g}) : sinon une personne pourrait ne pas relire "
            "ce qu'elle vient d'écrire."
        )
    return max_lag, check, window, cache_cap
