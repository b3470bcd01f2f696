"""What ``cartable serve`` and ``cartable worker`` check before they start: the engines they are given.

A wrong ``DATABASE_URL`` stops the start with a message naming the address (without its password); so does
PgBouncer in transaction mode when ``CARTABLE_DB_POOLING=transaction`` is not set (Django would use server-side
cursors and prepared statements that outlive the transaction holding their server connection). An unreachable
Redis or a replica that lags, is not streaming or does not answer gives a warning: the service runs degraded but
correct (the cache is skipped, reads go to the primary).

``cartable check_topology`` prints the same findings.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils.translation import gettext as _

from cartable.core import dbrouter

# How long the pooling probe waits for its second statement when another client holds a transaction.
PROBE_WAIT_SECONDS = 3.0


@dataclass
class Findings:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _connect(alias: str):
    """A psycopg connection of its own (outside Django's), with the alias's parameters."""
    import psycopg

    params = connections[alias].get_connection_params()
    for django_only in ("cursor_factory", "context", "client_encoding"):
        params.pop(django_only, None)
    params.setdefault("connect_timeout", 3)
    return psycopg.connect(**params, autocommit=True)


def pooling_mode(alias: str = "default") -> str:
    """« transaction » when a pooler gives this client's statements to different server connections, else
    « session » (a direct connection, or PgBouncer in session mode).

    The probe sets a session variable, lets a second client hold a transaction (which, in transaction mode, takes
    the server connection the first just released), then reads the variable back: a pooler in transaction mode
    answers from another server connection, which never saw it — or makes the first client wait for one.
    """
    marker = uuid.uuid4().hex
    first = _connect(alias)
    second = _connect(alias)
    try:
        first.execute("SELECT set_config('cartable.probe', %s, false)", [marker])
        second.execute("BEGIN")
        second.execute("SELECT 1")
        answer: list[object] = []

        def read_back() -> None:
            row = first.execute("SELECT current_setting('cartable.probe', true)").fetchone()
            answer.append(row[0] if row else None)

        reader = threading.Thread(target=read_back, daemon=True)
        reader.start()
        reader.join(PROBE_WAIT_SECONDS)
        waited = reader.is_alive()
        second.execute("COMMIT")
        reader.join(PROBE_WAIT_SECONDS)
        if waited or not answer or answer[0] != marker:
            return "transaction"
        return "session"
    finally:
        second.close()
        first.close()


def check_primary(findings: Findings) -> None:
    primary = connections["default"].settings_dict
    url = str(primary.get("NAME"))
    if connections["default"].vendor == "postgresql":
        url = f"postgres://{primary.get('USER') or ''}@{primary.get('HOST') or ''}:{primary.get('PORT') or ''}/{url}"
    try:
        connections["default"].ensure_connection()
    except DatabaseError as exc:
        findings.errors.append(
            _("La base de données ne répond pas (DATABASE_URL=%(url)s) : %(error)s") % {"url": url, "error": exc}
        )
        return
    if connections["default"].vendor != "postgresql":
        findings.notes.append(_("Base de données : SQLite (%(url)s).") % {"url": url})
        return
    declared = "transaction" if primary.get("DISABLE_SERVER_SIDE_CURSORS") else "session"
    found = pooling_mode("default")
    if found == "transaction" and declared != "transaction":
        findings.errors.append(
            _(
                "DATABASE_URL=%(url)s passe par un pooleur en mode transaction (PgBouncer) : définissez "
                "CARTABLE_DB_POOLING=transaction, sans quoi Django utiliserait des curseurs côté serveur et des "
                "requêtes préparées qui ne survivent pas à la transaction."
            )
            % {"url": url}
        )
    elif found == "session" and declared == "transaction":
        findings.notes.append(
            _("CARTABLE_DB_POOLING=transaction alors que la connexion garde sa session : c'est sans danger.")
        )
    else:
        findings.notes.append(_("Base primaire : PostgreSQL, mode de connexion « %(mode)s ».") % {"mode": found})


def check_replica(findings: Findings) -> None:
    if not dbrouter.replica_configured():
        return
    dbrouter.forget_replica_state()
    state = dbrouter.replica_state()
    replica = connections["replica"].settings_dict
    url = f"{replica.get('HOST')}:{replica.get('PORT')}/{replica.get('NAME')}"
    if state.usable:
        findings.notes.append(
            _("Réplique en lecture : à jour (retard %(lag).1f s).") % {"lag": state.lag_seconds or 0.0}
        )
        return
    reasons = {
        "unreachable": _("elle ne répond pas"),
        "not a replica": _("ce n'est pas une réplique (pg_is_in_recovery() est faux)"),
        "not streaming": _("elle ne reçoit plus le journal du primaire"),
        "lagging": _("elle a %(lag).0f s de retard") % {"lag": state.lag_seconds or 0.0},
    }
    findings.warnings.append(
        _("Réplique en lecture (base %(name)s) non utilisée : %(reason)s ; les lectures vont au primaire.")
        % {"name": url, "reason": reasons.get(state.reason, state.reason)}
    )


def check_redis(findings: Findings) -> None:
    if not settings.REDIS_URL:
        return
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        findings.warnings.append(
            _(
                "Redis ne répond pas (REDIS_URL) : %(error)s. Cartable fonctionne sans cache (les sessions sont en "
                "base), plus lentement, jusqu'à son retour."
            )
            % {"error": str(exc).rstrip(".")}
        )


def findings() -> Findings:
    """The state of the engines this process is configured with."""
    found = Findings()
    check_primary(found)
    if not found.errors:
        check_replica(found)
    check_redis(found)
    connections.close_all()
    return found


def verify(command) -> None:
    """Print the findings through a management command; stop it (CommandError) on an error."""
    from django.core.management.base import CommandError

    found = findings()
    for warning in found.warnings:
        command.stderr.write(_("Attention : %(warning)s") % {"warning": warning})
    if found.errors:
        raise CommandError("\n".join(found.errors))
