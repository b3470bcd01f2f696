"""The daily pages' speed as a same-run ratio to the reference view Q5 (prints figures; not a test).

    uv run python bench/pages.py                       # production: DATABASE_URL (PostgreSQL), REDIS_URL
    uv run python bench/pages.py --demo                # the demo: SQLite, its own server (`cartable demo`)
    uv run python bench/pages.py --only dashboard --rounds 3 --duration 5

Absolute timings on a shared 2-core machine move twofold between runs; a ratio measured in the same run
holds (see ../shared/perf/README.md). The benchmark

1. starts Cartable as production would: ``cartable serve`` (2 processes by default) on the database of
   ``DATABASE_URL`` and the cache of ``REDIS_URL`` (it migrates and loads the demo region when the
   database has no establishment), or, with ``--demo``, ``cartable demo`` itself on an SQLite file
   under ``--var`` (created on the first run, reused later);
2. starts the reference app (``refapp/serve.sh`` of ../shared/perf, found by walking up from this file or
   given by ``--refapp``; Q5 = five indexed ORM queries on a 1,000,000-row table; on PostgreSQL when
   ``REF_DATABASE_URL`` is set, else SQLite);
3. signs in as each persona in this process (Django's test client, ``force_login``, on the same database and
   cache), counts the queries of each page's second visit and its in-process milliseconds (median of
   ``--inprocess`` requests, one at a time), then hands the session cookie to ``wrk``;
4. for each page runs ``wrk`` on Q5, on the page, and on Q5 again (``--rounds`` times), and prints req/s,
   p50/p99 and the ratio page / mean of the Q5 runs around it; then the dashboard of lucas.martin at one
   connection (its p99 is one of the issue's goals).

With ``--explain`` (PostgreSQL), each page's queries are explained (``EXPLAIN (FORMAT JSON)``) and the scan
kinds printed; a sequential scan of a table over ``--large`` rows is flagged.

Needs ``wrk`` (``apt-get install wrk``) and ``curl``. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-pages-not-secret-" + "b" * 40


@dataclass
class Page:
    """One page of the issue's table: a label, the persona who visits (None: signed out), how to find it."""

    label: str
    group: str
    persona: str | None
    url: Callable[[object], str]  # called with the signed-in test client
    must: float
    aim: float


@dataclass
class Measure:
    queries: int | None = None
    inprocess_ms: float | None = None
    runs: list[tuple[float, float, float, float, float]] = field(default_factory=list)  # q5, page, p50, p99, ref


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="measure the demo (SQLite, `cartable demo`)")
    parser.add_argument(
        "--var",
        default=str(Path(tempfile.gettempdir()) / "cartable-bench-demo"),
        help="the demo's data folder (--demo)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes (production; default 2)")
    parser.add_argument("--threads", type=int, default=None, help="threads per process (default: serve's)")
    parser.add_argument("--duration", type=float, default=3, help="seconds of each wrk run (default 3)")
    parser.add_argument("--rounds", type=int, default=1, help="Q5/page/Q5 rounds per page (default 1)")
    parser.add_argument("--conns", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--inprocess", type=int, default=30, help="in-process requests timed per page (30)")
    parser.add_argument("--only", default="", help="comma-separated words: only pages whose label has one")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN each page's queries (PostgreSQL)")
    parser.add_argument("--large", type=int, default=10_000, help="rows that make a table large (--explain)")
    parser.add_argument("--refapp", default=os.environ.get("CARTABLE_REFAPP", ""), help="refapp/serve.sh")
    parser.add_argument("--json", default="", help="also write the figures to this JSON file")
    return parser.parse_args()


# --- the pages --------------------------------------------------------------------------------------


def named(name: str, *args, **query) -> Callable[[object], str]:
    def url(client) -> str:
        from django.urls import reverse

        path = reverse(name, args=args)
        return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    return url


def linked(page: str, target: str, *placeholders: object) -> Callable[[object], str]:
    """The first link to ``target`` (a URL name) on the page ``page``, as the persona sees it."""

    def url(client) -> str:
        from django.urls import reverse

        sentinels = [("987654321" if isinstance(p, int) else "zzsentinelzz") for p in placeholders]
        pattern = re.escape(reverse(target, args=sentinels))
        for sentinel in sentinels:
            pattern = pattern.replace(sentinel, r'[^"/?#]+', 1)
        html = client.get(reverse(page)).content.decode()
        found = re.search(f'href="({pattern})"', html)
        if not found:
            raise LookupError(f"no link to {target} on {reverse(page)}")
        return found.group(1)

    return url


def gradebook_of_largest_class(client) -> str:
    """The gradebook of the persona's largest class (the issue asks for one of about 35 students)."""
    from django.db.models import Count
    from django.urls import reverse

    from cartable.directory.models import SchoolClass

    user = client.session_user  # type: ignore[attr-defined]
    klass = (
        SchoolClass.objects.filter(assignments__teacher=user)
        .annotate(n=Count("enrolments", distinct=True))
        .order_by("-n")
        .first()
    )
    if klass is None:
        raise LookupError("the persona teaches no class")
    return reverse("grades:gradebook", args=[klass.pk])


def pages() -> list[Page]:
    dashboards = [
        Page(f"dashboard {who}", "dashboard", who, named("dashboard:home"), 0.5, 1.0)
        for who in ("lucas.martin", "claire.martin", "paul.dupont", "nadia.petit", "marc.leroy", "julie.moreau")
    ]
    family = [
        Page("travail à faire (lucas)", "family", "lucas.martin", named("homework:todo"), 0.5, 1.0),
        Page("emploi du temps (lucas)", "family", "lucas.martin", named("timetable:home"), 0.5, 1.0),
        Page("agenda (lucas)", "family", "lucas.martin", named("agenda:home"), 0.5, 1.0),
        Page("messagerie (lucas)", "family", "lucas.martin", named("messaging:inbox"), 0.5, 1.0),
        Page("mes notes (lucas)", "family", "lucas.martin", named("grades:mine"), 0.5, 1.0),
        Page("mes absences (lucas)", "family", "lucas.martin", named("attendance:family"), 0.5, 1.0),
        Page("travail à faire (claire)", "family", "claire.martin", named("homework:todo"), 0.5, 1.0),
        Page("notes d'un enfant (claire)", "family", "claire.martin", named("grades:mine"), 0.5, 1.0),
    ]
    staff = [
        Page(
            "appel (paul)",
            "staff",
            "paul.dupont",
            linked("attendance:lessons", "attendance:roll_call", "", ""),
            0.3,
            0.6,
        ),
        Page(
            "saisie des notes (paul)",
            "staff",
            "paul.dupont",
            linked("grades:index", "grades:evaluation", 0),
            0.3,
            0.6,
        ),
        Page("carnet de notes (paul)", "staff", "paul.dupont", gradebook_of_largest_class, 0.3, 0.6),
        Page("suivi vie scolaire (nadia)", "staff", "nadia.petit", named("attendance:board"), 0.3, 0.6),
    ]
    light = [
        Page("connexion (anonyme)", "light", None, named("accounts:login"), 1.0, 3.0),
        Page("compteur de notifications (lucas)", "light", "lucas.martin", named("notifications:counter"), 1.0, 3.0),
    ]
    return dashboards + family + staff + light


# --- processes --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} stopped (code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (127.0.0.1 only)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{what} does not answer {url} after {seconds:.0f} s")


def find_refapp(given: str) -> Path:
    if given:
        path = Path(given)
        return path / "serve.sh" if path.is_dir() else path
    for parent in ROOT.parents:
        candidate = parent / "shared" / "perf" / "refapp" / "serve.sh"
        if candidate.exists():
            return candidate
    raise SystemExit("refapp/serve.sh not found: give --refapp (../shared/perf/refapp of the project)")


class Processes:
    """The children this benchmark starts, each in its own session, all stopped at the end."""

    def __init__(self) -> None:
        self.children: list[subprocess.Popen] = []

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        child = subprocess.Popen(  # noqa: S603 (our own interpreter and scripts)
            argv, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )
        self.children.append(child)
        return child

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)


def start_cartable(args: argparse.Namespace, procs: Processes, logs: Path) -> tuple[str, str]:
    """Cartable's address and what serves it, started as production (or the demo) would."""
    port = free_port()
    env = {**os.environ}
    if args.demo:
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env.update(CARTABLE_DEMO="1", CARTABLE_VAR=args.var)
        argv = [sys.executable, "-m", "cartable.cli", "demo", "--port", str(port)]
        server = procs.start(argv, env, logs / "cartable.log")
        wait_for(f"http://127.0.0.1:{port}/sante/", 600, server, "cartable demo")
        return f"http://127.0.0.1:{port}", "cartable demo (gunicorn, 1 process, 8 threads, SQLite)"
    env.setdefault("SECRET_KEY", SECRET)
    argv = [sys.executable, "-m", "cartable.cli", "serve", "--port", str(port), "--workers", str(args.workers)]
    if args.threads:
        argv += ["--threads", str(args.threads)]
    server = procs.start(argv, env, logs / "cartable.log")
    wait_for(f"http://127.0.0.1:{port}/sante/", 60, server, "cartable serve")
    threads = args.threads or "serve's default"
    return f"http://127.0.0.1:{port}", f"cartable serve ({args.workers} processes, {threads} threads)"


def start_refapp(args: argparse.Namespace, procs: Processes, logs: Path) -> str:
    serve = find_refapp(args.refapp)
    port = free_port()
    env = {**os.environ, "REF_PARENT_PID": str(os.getpid())}
    child = procs.start(["bash", str(serve), str(port)], env, logs / "refapp.log")
    wait_for(f"http://127.0.0.1:{port}/q5", 900, child, "the reference app")
    return f"http://127.0.0.1:{port}/q5"


Q5_CPU = """
import time, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
for _ in range(20):
    client.get("/q5")
durations = []
for _ in range(200):
    started = time.process_time()
    client.get("/q5")
    durations.append(time.process_time() - started)
durations.sort()
print(durations[100] * 1000)
"""


def q5_cpu_ms(args: argparse.Namespace) -> float:
    """Q5's median CPU milliseconds in process (the reference app's own venv and test client), the same
    measure as the pages' cpu ms column: their quotient is a ratio that a busy machine does not blur."""
    serve = find_refapp(args.refapp)
    home = Path(os.environ.get("REF_HOME", Path(tempfile.gettempdir()) / "cartable-refapp"))
    pythons = sorted(home.glob("venv-*/bin/python"))
    if not pythons:
        return float("nan")
    env = {
        **os.environ,
        "PYTHONPATH": str(serve.parent),
        "DJANGO_SETTINGS_MODULE": "ref.settings",
        "REF_SQLITE": os.environ.get("REF_SQLITE", str(home / "entry-v1.sqlite3")),
    }
    out = subprocess.run(  # noqa: S603 (the reference app's interpreter)
        [str(pythons[-1]), "-c", Q5_CPU], env=env, capture_output=True, text=True, check=False
    )
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return float("nan")


def setup_django(args: argparse.Namespace) -> None:
    if args.demo:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
        os.environ.update(CARTABLE_DEMO="1", CARTABLE_VAR=args.var)
    else:
        os.environ.setdefault("SECRET_KEY", SECRET)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
    import django

    django.setup()


def prepare_database() -> None:
    """Production mode: the schema and the demo region, when the database has none."""
    from django.core.management import call_command

    from cartable.directory.models import Establishment

    call_command("migrate", interactive=False, verbosity=0)
    if not Establishment.objects.exists():
        call_command("load_demo", verbosity=0)


# --- measuring --------------------------------------------------------------------------------------


def wrk(url: str, *, duration: float, conns: int, cookie: str = "") -> tuple[float, float, float, int]:
    """req/s, p50 ms, p99 ms and the count of answers other than 2xx/3xx, of one wrk run."""
    threads = min(2, conns)
    argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration:g}s", "--latency", "--timeout", "10s", url]
    if cookie:
        argv += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout  # noqa: S603
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def pct(q: str) -> float:
        found = re.search(rf"^\s+{q}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(found.group(1)) * units[found.group(2)] if found else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return (float(rps.group(1)) if rps else 0.0), pct("50"), pct("99"), int(bad.group(1)) if bad else 0


class Visitor:
    """A persona signed in through Django's test client on the server's database and cache."""

    def __init__(self, username: str | None) -> None:
        from django.conf import settings
        from django.test import Client

        from cartable.directory.models import User

        self.client = Client(HTTP_HOST="127.0.0.1")
        self.cookie = ""
        if username:
            user = User.objects.get(username=username)
            self.client.force_login(user)
            self.client.session_user = user  # type: ignore[attr-defined]
            self.client.get("/")  # the first visit of the session (charters, seen-at, cached widgets)
            name = settings.SESSION_COOKIE_NAME
            self.cookie = f"{name}={self.client.cookies[name].value}"

    def measure(self, path: str, repeat: int) -> tuple[int, float, list[str]]:
        """The second visit's queries, the median in-process milliseconds and the SQL of the page."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        response = self.client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code} in process")
        with CaptureQueriesContext(connection) as captured:
            self.client.get(path)
        sql = list(captured.captured_queries)  # read now: the next request empties the connection's log
        durations = []
        for _request in range(repeat):
            started = time.process_time()  # CPU, not wall time: the waits for a core would drown it
            self.client.get(path)
            durations.append((time.process_time() - started) * 1000)
        return len(sql), statistics.median(durations) if durations else float("nan"), sql


def explain(queries: list[dict], large: int) -> list[str]:
    """The scan kinds of each SELECT (PostgreSQL), and the sequential scans of large tables."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ["(EXPLAIN needs PostgreSQL)"]
    lines = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH", "(SELECT")):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            scans: list[str] = []
            flags: list[str] = []

            def walk(node: dict, scans: list[str], flags: list[str]) -> None:
                kind = node["Node Type"]
                if "Scan" in kind:
                    relation = node.get("Relation Name", "")
                    scans.append(f"{kind}({relation or node.get('Index Name', '')})")
                    if kind == "Seq Scan" and relation:
                        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [relation])
                        rows = (cursor.fetchone() or [0])[0]
                        if rows > large:
                            flags.append(f"SEQUENTIAL SCAN of {relation} ({rows} rows)")
                for child in node.get("Plans", []):
                    walk(child, scans, flags)

            walk(plan[0]["Plan"], scans, flags)
            lines.append("      " + ", ".join(scans) + ("   <-- " + "; ".join(flags) if flags else ""))
            lines.append("        " + sql[:160])
    return lines


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk (Debian/Ubuntu), or build it from github.com/wg/wrk")
        return 1
    if not args.demo and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("note: DATABASE_URL is not PostgreSQL; the issue's figures are measured on PostgreSQL and Redis")
    logs = Path(tempfile.mkdtemp(prefix="cartable-bench-pages-"))
    print(f"servers' logs: {logs}", flush=True)
    procs = Processes()
    try:
        if args.demo:
            base, server = start_cartable(args, procs, logs)  # the demo migrates and loads its data itself
            setup_django(args)
        else:
            setup_django(args)
            prepare_database()
            base, server = start_cartable(args, procs, logs)
        q5 = start_refapp(args, procs, logs)
        return run(args, base, server, q5, q5_cpu_ms(args))
    finally:
        procs.stop()


def run(args: argparse.Namespace, base: str, server: str, q5: str, q5_cpu: float) -> int:
    from django.conf import settings
    from django.db import connection

    ref_db = "PostgreSQL" if os.environ.get("REF_DATABASE_URL") else "SQLite"
    print(f"cartable: {server}, {connection.vendor}, cache {settings.CACHES['default']['BACKEND'].split('.')[-1]}")
    print(f"Q5: {q5} (gunicorn sync, 2 processes, {ref_db}); wrk {args.conns} connections, {args.duration:g} s runs")
    print(f"Q5 in process: {q5_cpu:.2f} ms of CPU (cpu ratio = Q5's cpu ms / the page's)")
    print()
    words = [w.strip().lower() for w in args.only.split(",") if w.strip()]
    chosen = [p for p in pages() if not words or any(w in p.label.lower() for w in words)]
    visitors: dict[str | None, Visitor] = {}
    header = (
        f"{'page':<36} {'queries':>7} {'cpu ms':>6} {'cpu ratio':>9} {'Q5 r/s':>7} {'r/s':>7} {'p50':>6} {'p99':>7} "
        f"{'ratio':>6}  goal"
    )
    print(header)
    print("-" * len(header))
    results: dict[str, dict] = {}
    failures = 0
    for page in chosen:
        visitor = visitors.get(page.persona) or visitors.setdefault(page.persona, Visitor(page.persona))
        path = page.url(visitor.client)
        queries, inprocess, sql = visitor.measure(path, args.inprocess)
        ref_before = wrk(q5, duration=args.duration, conns=args.conns)[0]
        ratios, page_rps, p50s, p99s, refs = [], [], [], [], []
        for _round in range(args.rounds):
            rps, p50, p99, bad = wrk(base + path, duration=args.duration, conns=args.conns, cookie=visitor.cookie)
            if bad:
                print(f"  warning: {path} answered {bad} times with a status other than 2xx/3xx")
            ref_after = wrk(q5, duration=args.duration, conns=args.conns)[0]
            ref = (ref_before + ref_after) / 2
            ratios.append(rps / ref if ref else 0.0)
            page_rps.append(rps)
            p50s.append(p50)
            p99s.append(p99)
            refs.append(ref)
            ref_before = ref_after
        ratio = statistics.median(ratios)
        must, aim = (0.3, 0.6) if args.demo and page.group == "dashboard" else (page.must, page.aim)  # the demo's goal
        verdict = "aim" if ratio >= aim else ("must" if ratio >= must else "BELOW")
        failures += verdict == "BELOW"
        print(
            f"{page.label:<36} {queries:>7} {inprocess:>6.1f} {q5_cpu / inprocess:>9.2f} "
            f"{statistics.median(refs):>7.0f} "
            f"{statistics.median(page_rps):>7.0f} {statistics.median(p50s):>6.1f} {statistics.median(p99s):>7.1f} "
            f"{ratio:>6.2f}  {verdict} (≥{must:g}, aim {aim:g})",
            flush=True,
        )
        results[page.label] = {
            "path": path,
            "queries": queries,
            "inprocess_ms": round(inprocess, 2),
            "cpu_ratio": round(q5_cpu / inprocess, 3),
            "q5_rps": round(statistics.median(refs), 1),
            "rps": round(statistics.median(page_rps), 1),
            "p50_ms": statistics.median(p50s),
            "p99_ms": statistics.median(p99s),
            "ratio": round(ratio, 3),
        }
        if args.explain:
            print("\n".join(explain(sql, args.large)))
    dashboard = visitors.get("lucas.martin") or Visitor("lucas.martin")
    rps, p50, p99, _bad = wrk(base + "/", duration=max(args.duration, 3), conns=1, cookie=dashboard.cookie)
    goal = "aim" if p99 <= 10 else ("must" if p99 <= 20 else "ABOVE")
    print(f"\ndashboard lucas.martin at one connection: {rps:.0f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms  {goal}")
    print(f"{failures} of {len(chosen)} pages below their « must » ratio")
    print("(cpu ms: median milliseconds of this process's CPU for one request, test client, no network)")
    results["dashboard at one connection"] = {"rps": rps, "p50_ms": p50, "p99_ms": p99}
    if args.json:
        figures = {"server": server, "q5_cpu_ms": q5_cpu, "pages": results}
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
