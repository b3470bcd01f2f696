"""The databases' configuration read from the environment (core/dbconfig.py): bad values stop the start with a
message naming the variable, never its password; PgBouncer's transaction mode turns off what it cannot carry."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.test import RequestFactory

from cartable.core import dbconfig
from cartable.core.views import server_error

SQLITE = "sqlite:///var/cartable.sqlite3"
PRIMARY = "postgres://cartable:s3cret@db.internal:6432/cartable"
REPLICA = "postgres://cartable:s3cret@replica.internal:5432/cartable"


def test_without_a_replica_there_is_one_database_and_no_router():
    """The embedded default and a plain PostgreSQL: one alias, no router, server-side cursors on."""
    for url in (SQLITE, PRIMARY):
        found, routers = dbconfig.databases({"DATABASE_URL": url}, default_url=SQLITE)
        assert list(found) == ["default"]
        assert routers == []
        assert not found["default"].get("DISABLE_SERVER_SIDE_CURSORS")


def test_a_replica_gets_its_alias_the_router_and_a_short_connect_timeout():
    """With DATABASE_REPLICA_URL, a « replica » alias (mirroring the primary in tests) and the router."""
    found, routers = dbconfig.databases({"DATABASE_URL": PRIMARY, "DATABASE_REPLICA_URL": REPLICA}, default_url=SQLITE)
    assert routers == ["cartable.core.dbrouter.ReplicaRouter"]
    assert found["replica"]["HOST"] == "replica.internal"
    assert found["replica"]["OPTIONS"]["connect_timeout"] == 2
    assert found["replica"]["TEST"] == {"MIRROR": "default"}


def test_transaction_pooling_turns_off_server_side_cursors_and_prepared_statements():
    """CARTABLE_DB_POOLING=transaction: no server-side cursors, no automatic prepared statements."""
    found, _ = dbconfig.databases({"DATABASE_URL": PRIMARY, "CARTABLE_DB_POOLING": "transaction"}, default_url=SQLITE)
    assert found["default"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert found["default"]["OPTIONS"]["prepare_threshold"] is None


def test_configurations_that_make_no_sense_stop_the_start_with_a_clear_message():
    """Each bad environment gives ImproperlyConfigured naming the variable; a password is never shown."""
    cases = [
        ({"DATABASE_URL": "mysqlx://root:s3cret@db/cartable"}, "DATABASE_URL=mysqlx://root:•••@db/cartable"),
        ({"DATABASE_URL": "mysql://root:s3cret@db/cartable"}, "PostgreSQL ou SQLite"),
        ({"DATABASE_URL": "postgres://cartable:s3cret@db.internal:5432"}, "ne nomme pas de base"),
        ({"DATABASE_URL": SQLITE, "DATABASE_REPLICA_URL": REPLICA}, "demande un primaire PostgreSQL"),
        ({"DATABASE_URL": PRIMARY, "DATABASE_REPLICA_URL": SQLITE}, "la réplique doit être un PostgreSQL"),
        ({"DATABASE_URL": PRIMARY, "CARTABLE_DB_POOLING": "statement"}, "CARTABLE_DB_POOLING='statement'"),
        ({"DATABASE_URL": SQLITE, "CARTABLE_DB_POOLING": "transaction"}, "n'a de sens qu'avec PostgreSQL"),
    ]
    for environ, message in cases:
        with pytest.raises(ImproperlyConfigured) as raised:
            dbconfig.databases(environ, default_url=SQLITE)
        assert message in str(raised.value), (environ, str(raised.value))
        assert "s3cret" not in str(raised.value)


def test_the_read_your_writes_window_must_outlast_the_lag_allowed():
    """A window shorter than the lag bound plus the measuring period would let a person miss their own write."""
    assert dbconfig.replica_timing({}) == (2.0, 1.0, 5.0, 5.0)
    with pytest.raises(ImproperlyConfigured, match="CARTABLE_READ_YOUR_WRITES_SECONDS"):
        dbconfig.replica_timing({"CARTABLE_REPLICA_MAX_LAG_SECONDS": "10"})
    with pytest.raises(ImproperlyConfigured):
        dbconfig.replica_timing({"CARTABLE_REPLICA_CHECK_SECONDS": "soon"})


@pytest.mark.django_db
def test_a_database_that_does_not_answer_gives_a_styled_503_with_retry_after():
    """A page failing because the database is unreachable (a restart) says so with a 503 and Retry-After."""
    request = RequestFactory().get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "Service momentanément indisponible" in page
    assert "Traceback" not in page and "server closed" not in page
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500
