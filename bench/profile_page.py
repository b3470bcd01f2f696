"""Profile one page as one persona in this process (prints figures; not a test).

    uv run python bench/profile_page.py [--persona lucas.martin] [--path /] [--requests 50] [--sort tottime]

Signs in with Django's test client (``force_login``) on the database of ``DATABASE_URL`` (or the demo's
SQLite with ``--demo``), warms the page up, then runs ``--requests`` visits under ``cProfile`` and prints
the functions that cost the most, the queries of one visit with their milliseconds, and, on PostgreSQL
with ``--explain``, ``EXPLAIN ANALYZE`` of the slowest of them.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persona", default="lucas.martin")
    parser.add_argument("--path", default="/")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime, cumulative)")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--demo", action="store_true", help="the demo's SQLite under --var")
    parser.add_argument("--var", default=str(Path(tempfile.gettempdir()) / "cartable-bench-demo"))
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the three slowest queries")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.demo:
        os.environ.pop("DATABASE_URL", None)
        os.environ.update(CARTABLE_DEMO="1", CARTABLE_VAR=args.var)
    os.environ.setdefault("SECRET_KEY", "bench-profile-not-secret-" + "p" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cartable.directory.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    if args.persona:
        client.force_login(User.objects.get(username=args.persona))
    for _warm in range(5):
        response = client.get(args.path)
    if response.status_code != 200:
        raise SystemExit(f"{args.path} answered {response.status_code}")

    timed: list[tuple[float, str]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        client.get(args.path)
    queries = list(captured.captured_queries)
    print(f"{args.path} as {args.persona or 'anonymous'}: {len(queries)} queries, {len(response.content)} bytes")
    for ms, sql in timed:
        print(f"  {ms:6.2f} ms  {sql[:150]}")

    # CPU time, not wall time: on a shared machine the waits for a core would drown the Python's own cost.
    profile = cProfile.Profile(time.process_time)
    started = time.process_time()
    profile.enable()
    for _request in range(args.requests):
        client.get(args.path)
    profile.disable()
    elapsed = (time.process_time() - started) * 1000 / args.requests
    print(f"\n{args.requests} requests under cProfile: {elapsed:.1f} ms of CPU each (profiled: slower than served)\n")
    pstats.Stats(profile).strip_dirs().sort_stats(args.sort).print_stats(args.top)

    if args.explain and connection.vendor == "postgresql":
        slowest = sorted(zip(timed, queries, strict=True), key=lambda pair: -pair[0][0])[:3]
        with connection.cursor() as cursor:
            for (ms, _sql), query in slowest:
                print(f"--- {ms:.2f} ms: {query['sql'][:300]}")
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
