"""A real PostgreSQL primary with a streaming hot-standby replica (and PgBouncer in transaction mode in front of
the primary when its binary is there), started on 127.0.0.1 under a temporary folder for one test module.

The primary is a new cluster (``initdb``); the database is copied from the test database pytest-django has just
migrated (``pg_dump`` | ``psql``: seconds, where migrating would take a minute); the replica is a
``pg_basebackup -R`` of it, started as a hot standby. Everything is stopped (``pg_ctl stop -m fast``) and
removed at the end. PostgreSQL refuses to run as root: as root, the clusters run as the ``postgres`` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg


def _pg_bin() -> Path:
    """CARTABLE_PG_BIN, else the newest of Debian's /usr/lib/postgresql/<version>/bin."""
    if chosen := os.environ.get("CARTABLE_PG_BIN"):
        return Path(chosen)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    return found[0] if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
DATABASE = "cartable"


def missing() -> str | None:
    """Why the pair cannot be started here, or None."""
    for tool in ("initdb", "pg_ctl", "pg_basebackup", "pg_dump", "psql"):
        if not (PG_BIN / tool).exists():
            return f"PostgreSQL's {tool} is not in {PG_BIN} (set CARTABLE_PG_BIN; .ci/run installs PostgreSQL)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a « postgres » user to run the clusters as"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_owner() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


# The servers keep the real clock when the suite runs under faketime (libfaketime breaks PostgreSQL's start).
CLEAN_ENV = {key: value for key, value in os.environ.items() if key not in ("LD_PRELOAD", "FAKETIME")}


def _run(*argv: str | Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_as_owner(), *map(str, argv)], check=True, capture_output=True, text=True, env=CLEAN_ENV, **kwargs
    )


@dataclass
class ReplicaPair:
    """The running pair: ``primary_port``, ``replica_port``, ``bouncer_port`` (0 without PgBouncer)."""

    root: Path
    primary_port: int = field(default_factory=free_port)
    replica_port: int = field(default_factory=free_port)
    bouncer_port: int = 0
    bouncer: subprocess.Popen | None = None

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.root / "replica"

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"

    def connect(self, port: int, dbname: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True)

    def _start_cluster(self, data: Path, port: int) -> None:
        # fsync off: a test cluster that dies is thrown away anyway.
        options = f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        _run(
            PG_BIN / "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            data,
            "-l",
            data.parent / f"{data.name}.log",
            "-o",
            options,
        )

    def start(self, *, source_url: str) -> None:
        """Start the primary with a copy of ``source_url`` (a PostgreSQL database), then its replica."""
        _run(
            PG_BIN / "initdb",
            "-D",
            self.primary_dir,
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        with (self.primary_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nwal_receiver_status_interval = 1s\n"
            )
        self._start_cluster(self.primary_dir, self.primary_port)
        with self.connect(self.primary_port, "postgres") as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        dump = subprocess.run(
            [PG_BIN / "pg_dump", "--no-owner", "--no-privileges", "-d", source_url], capture_output=True, env=CLEAN_ENV
        )
        if dump.returncode:
            raise RuntimeError(f"pg_dump {source_url}: {dump.stderr.decode()}")
        _run(
            PG_BIN / "psql",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary_port),
            "-U",
            "postgres",
            "-d",
            DATABASE,
            input=dump.stdout.decode(),
        )
        _run(
            PG_BIN / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.primary_port),
            "-U",
            "postgres",
            "-D",
            self.replica_dir,
            "-R",
            "-X",
            "stream",
            "--no-sync",
            "-c",
            "fast",
        )
        self._start_cluster(self.replica_dir, self.replica_port)
        self.wait_until_streaming()
        if Path(PGBOUNCER).exists():
            self._start_bouncer()

    def _start_bouncer(self) -> None:
        self.bouncer_port = free_port()
        ini = self.root / "pgbouncer.ini"
        users = self.root / "pgbouncer.users"
        users.write_text('"postgres" ""\n')  # trust still wants the user listed
        ini.write_text(
            f"[databases]\n{DATABASE} = host=127.0.0.1 port={self.primary_port} dbname={DATABASE}\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {self.bouncer_port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\npool_mode = transaction\ndefault_pool_size = 4\n"
            f"logfile = {self.root / 'pgbouncer.log'}\nadmin_users = postgres\n"
        )
        if os.geteuid() == 0:
            shutil.chown(ini, "postgres")
            shutil.chown(users, "postgres")
        self.bouncer = subprocess.Popen(
            [*_as_owner(), PGBOUNCER, str(ini)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CLEAN_ENV
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.connect(self.bouncer_port).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def wait_until_streaming(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with self.connect(self.primary_port, "postgres") as primary:
            while not primary.execute("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'").fetchone():
                if time.monotonic() > deadline:
                    raise TimeoutError("the replica does not stream from the primary")
                time.sleep(0.05)

    def wait_until_received(self, timeout: float = 30) -> None:
        """Wait until the replica has received (not necessarily replayed) all the primary has written."""
        self._wait_for("pg_last_wal_receive_lsn", timeout)

    def wait_until_replayed(self, timeout: float = 30) -> None:
        self._wait_for("pg_last_wal_replay_lsn", timeout)

    def _wait_for(self, position: str, timeout: float) -> None:
        """Wait until the replica's ``position()`` reaches what the primary has inserted in its WAL so far."""
        with self.connect(self.primary_port) as primary:
            target = primary.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.connect(self.replica_port) as replica:
            while not replica.execute(f"SELECT {position}() >= %s::pg_lsn", [target]).fetchone()[0]:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica's {position}() does not reach the primary's WAL")
                time.sleep(0.02)

    def pause_replay(self) -> None:
        with self.connect(self.replica_port) as replica:
            replica.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.connect(self.replica_port) as replica:
            replica.execute("SELECT pg_wal_replay_resume()")
        self.wait_until_replayed()

    def stop_replica(self) -> None:
        _run(PG_BIN / "pg_ctl", "stop", "-w", "-m", "fast", "-D", self.replica_dir)

    def start_replica(self) -> None:
        self._start_cluster(self.replica_dir, self.replica_port)
        self.wait_until_streaming()
        self.wait_until_replayed()

    def stop(self) -> None:
        if self.bouncer is not None:
            self.bouncer.terminate()
            self.bouncer.wait(10)
        for data in (self.replica_dir, self.primary_dir):
            if (data / "postmaster.pid").exists():
                _run(PG_BIN / "pg_ctl", "stop", "-w", "-m", "fast", "-D", data)


def start_pair(*, source_url: str) -> ReplicaPair:
    """A running pair under a new temporary folder (owned by ``postgres`` when running as root)."""
    root = Path(tempfile.mkdtemp(prefix="cartable-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    pair = ReplicaPair(root)
    try:
        pair.start(source_url=source_url)
    except BaseException:
        pair.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    return pair


def stop_pair(pair: ReplicaPair) -> None:
    try:
        pair.stop()
    finally:
        shutil.rmtree(pair.root, ignore_errors=True)
