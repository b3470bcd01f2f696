"""Faults on the topology of deploy/topology.sh, one at a time, with a signed-in person reading pages through nginx.

Usage (the topology started with ``deploy/topology.sh start --seed``):

    uv run python bench/topology_faults.py [--root /tmp/cartable-topology] [--base http://127.0.0.1:8080]

For each fault it prints how many requests were answered (2xx), how many failed and with which statuses, whether
any answer carried a traceback, and the time from the fault to the first successful answer of a page reading the
database. Faults: kill -9 one app node's gunicorn (master and workers); restart the primary (fast shutdown);
stop the replica for 10 s; stop Redis for 10 s. Bounded: about a minute in all, 127.0.0.1 only.

Not yet the issue's whole fault script: no load generator (locust), no log of acknowledged writes checked
against the database, no RQ worker killed mid-task.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import requests

PAGES = ["/actualites/", "/emploi-du-temps/", "/"]  # the replica's news list, a timetable, the dashboard
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PG_BIN = Path(os.environ.get("CARTABLE_PG_BIN", "/usr/lib/postgresql/15/bin"))


def as_pg(*argv: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *argv], check=True, capture_output=True)  # noqa: S603 (our own arguments)


def sign_in(base: str, username: str, password: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{base}/comptes/connexion/", timeout=10)
    token = CSRF.search(form.text).group(1)
    answer = browser.post(
        f"{base}/comptes/connexion/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/comptes/connexion/"},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, (answer.status_code, answer.text[:300])
    return browser


def hammer(browser: requests.Session, base: str, seconds: float, started: float) -> dict:
    """GET the pages in turn for ``seconds``; count answers and the first success after ``started``."""
    found = {"ok": 0, "failed": {}, "tracebacks": 0, "recovered_after": None}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for page in PAGES:
            try:
                answer = browser.get(base + page, timeout=5, allow_redirects=False)
                status = answer.status_code
                if "Traceback" in answer.text:
                    found["tracebacks"] += 1
            except requests.RequestException as exc:
                status = type(exc).__name__
            if status == 200:
                found["ok"] += 1
                if found["recovered_after"] is None:
                    found["recovered_after"] = round(time.monotonic() - started, 2)
            else:
                found["failed"][status] = found["failed"].get(status, 0) + 1
        time.sleep(0.05)
    return found


def pid(root: Path, name: str) -> int:
    return int((root / "run" / name).read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="/tmp/cartable-topology")  # noqa: S108 (deploy/topology.sh's default)
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--username", default="lucas.martin")
    parser.add_argument("--password", default="demo")
    args = parser.parse_args()
    root = Path(args.root)
    browser = sign_in(args.base, args.username, args.password)
    print("baseline", hammer(browser, args.base, 3, time.monotonic()))

    master = pid(root, "node-8101.pid")
    children = subprocess.run(  # noqa: S603 (a pid of ours)
        ["/usr/bin/pgrep", "-P", str(master)], capture_output=True, text=True, check=False
    ).stdout.split()
    started = time.monotonic()
    for each in [master, *map(int, children)]:
        os.kill(each, signal.SIGKILL)
    print("kill -9 node 8101", hammer(browser, args.base, 5, started))

    started = time.monotonic()
    as_pg(
        str(PG_BIN / "pg_ctl"),
        "restart",
        "-w",
        "-m",
        "fast",
        "-D",
        str(root / "primary"),
        "-l",
        str(root / "log" / "primary.log"),
    )
    print("primary restarted (fast)", hammer(browser, args.base, 8, started))

    started = time.monotonic()
    as_pg(str(PG_BIN / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(root / "replica"))
    print("replica stopped", hammer(browser, args.base, 10, started))
    as_pg(str(PG_BIN / "pg_ctl"), "start", "-w", "-D", str(root / "replica"), "-l", str(root / "log" / "replica.log"))

    started = time.monotonic()
    os.kill(pid(root, "redis.pid"), signal.SIGSTOP)  # a hung Redis: the worst case for timeouts
    try:
        print("Redis hung", hammer(browser, args.base, 10, started))
    finally:
        os.kill(pid(root, "redis.pid"), signal.SIGCONT)


if __name__ == "__main__":
    main()
