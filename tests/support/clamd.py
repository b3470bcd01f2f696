"""A real ClamAV daemon for the tests: started once per test process on 127.0.0.1 with our own configuration
and a signature database written here (no signature mirror is reachable), stopped when the process ends.

The database holds two body signatures (``.ndb``): the EICAR test string, and a custom one. clamd unpacks
zips (and so DOCX and ODF files) before matching, so both are found inside an archive too. The EICAR
string is assembled at run time, so this source file is not itself reported by a scanner.
"""

from __future__ import annotations

import atexit
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

CLAMD = shutil.which("clamd") or next((p for p in ("/usr/sbin/clamd",) if Path(p).exists()), None)
SKIP_REASON = "clamd (Debian's clamav-daemon) is not installed; .ci/run installs it"
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CUSTOM = b"CARTABLE-TEST-MALWARE-7f3a9c"
EICAR_SIGNATURE = "Cartable.Test.EICAR"
CUSTOM_SIGNATURE = "Cartable.Test.Custom"
# Our limits for the test daemon: small enough to reach in a test (the production lines, above the upload
# limit, are in docs/deployment.md).
MAX_STREAM = 24 * 1024 * 1024
MAX_FILE = 8 * 1024 * 1024

_started: dict[str, object] = {}


def needs_clamd(test):
    """Skip a test (or a test class) when clamd's binary is absent."""
    return unittest.skipUnless(CLAMD, SKIP_REASON)(test)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def config(folder: Path, port: int) -> str:
    return "\n".join(
        [
            "Foreground yes",
            f"TCPSocket {port}",
            "TCPAddr 127.0.0.1",
            f"DatabaseDirectory {folder / 'db'}",
            f"LogFile {folder / 'clamd.log'}",
            "LogTime yes",
            f"StreamMaxLength {MAX_STREAM}",
            f"MaxFileSize {MAX_FILE}",
            f"MaxScanSize {4 * MAX_STREAM}",
            "AlertExceedsMax yes",
            "SelfCheck 0",
            "",
        ]
    )


def address() -> str:
    """``tcp://127.0.0.1:port`` of the test daemon, started on first use (about a second)."""
    if "address" in _started:
        return str(_started["address"])
    assert CLAMD, SKIP_REASON
    folder = Path(tempfile.mkdtemp(prefix="cartable-clamd-"))
    (folder / "db").mkdir()
    (folder / "db" / "cartable.ndb").write_text(
        f"{EICAR_SIGNATURE}:0:*:{EICAR.hex()}\n{CUSTOM_SIGNATURE}:0:*:{CUSTOM.hex()}\n"
    )
    port = _free_port()
    (folder / "clamd.conf").write_text(config(folder, port))
    process = subprocess.Popen(
        [CLAMD, "-c", str(folder / "clamd.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"clamd stopped: {(folder / 'clamd.log').read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"zPING\0")
                if conn.recv(16).startswith(b"PONG"):
                    break
        except OSError:
            time.sleep(0.1)
    else:
        raise RuntimeError("clamd did not answer within 60 s")
    _started["address"] = f"tcp://127.0.0.1:{port}"
    return str(_started["address"])


def closed_address() -> str:
    """An address where no clamd listens: the scanner must refuse, never pass."""
    return f"tcp://127.0.0.1:{_free_port()}"
