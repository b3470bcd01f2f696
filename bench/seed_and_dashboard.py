"""Seed a region, then time the dashboard of a few personas (prints figures; not a test).

    uv run python bench/seed_and_dashboard.py [--establishments 20] [--students 500] [--requests 200]

Without DATABASE_URL the benchmark uses a fresh SQLite file in a temporary folder; with it, it adds the
demo region (when absent) and the seeded establishments to that database. Requests go through Django's
test client (the whole middleware stack and templates, no network), signed in with ``force_login``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PERSONAS = ["lucas.martin", "claire.martin", "paul.dupont", "nadia.petit", "marc.leroy", "admin.region"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=20)
    parser.add_argument("--students", type=int, default=500, help="students per establishment")
    parser.add_argument("--requests", type=int, default=200, help="timed dashboard requests per persona")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def setup_django() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["CARTABLE_VAR"] = tempfile.mkdtemp(prefix="cartable-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
    import django

    django.setup()


def prepare(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from cartable.demo.region import load_demo_region
    from cartable.demo.seed import seed_region
    from cartable.directory.models import Establishment

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"migrate                 {time.perf_counter() - started:6.1f} s")
    if not Establishment.objects.filter(uai="0540042K").exists():
        started = time.perf_counter()
        load_demo_region()
        print(f"demo region             {time.perf_counter() - started:6.1f} s")

    def progress(done: int, total: int, rows: int) -> None:
        print(f"\r  seeding {done}/{total} establishments, {rows} rows", end="", file=sys.stderr, flush=True)

    report = seed_region(
        establishments=args.establishments, students_per_establishment=args.students, seed=args.seed, progress=progress
    )
    print(file=sys.stderr)
    print(
        f"seed {args.establishments} x {args.students}        {report.seconds:6.1f} s  "
        f"{report.total} rows ({report.total / report.seconds:,.0f} rows/s)"
    )


def time_dashboard(username: str, requests: int) -> tuple[int, list[float]]:
    """The dashboard's query count and the duration of each request, in milliseconds."""
    from django.db import connection
    from django.test import Client

    from cartable.directory.models import User

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=username))
    for _warm_up in range(5):
        client.get("/")
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get("/")
    if response.status_code != 200:
        raise SystemExit(f"{username}: the dashboard answered {response.status_code}")
    durations = []
    for _request in range(requests):
        started = time.perf_counter()
        client.get("/")
        durations.append((time.perf_counter() - started) * 1000)
    return len(queries), durations


def main() -> None:
    args = parse_args()
    setup_django()
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    prepare(args)
    from cartable.demo.region import region_counts

    print("region: " + ", ".join(f"{n} {table}" for table, n in region_counts().items()))
    print()
    print(f"{'persona':<16} {'queries':>7} {'mean ms':>8} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7}")
    for username in PERSONAS:
        count, durations = time_dashboard(username, args.requests)
        durations.sort()
        mean = statistics.fmean(durations)
        p95 = durations[int(len(durations) * 0.95) - 1]
        print(
            f"{username:<16} {count:>7} {mean:>8.2f} {statistics.median(durations):>7.2f} {p95:>7.2f} "
            f"{1000 / mean:>7.0f}"
        )


if __name__ == "__main__":
    main()
