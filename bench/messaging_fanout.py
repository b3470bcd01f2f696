"""Seed a region, then send messages from a principal to all the families of an establishment and time them
(prints figures; not a test).

    uv run python bench/messaging_fanout.py [--establishments 1] [--students 800] [--recipients 10 100 1000]

Without DATABASE_URL the benchmark uses a fresh SQLite file in a temporary folder. For each size it sends one
message through ``messaging.actions.send_message`` (rules checked for every recipient) and runs the
background fan-out (``messaging.tasks.fan_out``: inbox rows and notices), and prints the recipients, the
queries of each step and the seconds. The e-mail delivery task of the notices is queued, not run (no worker).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=1)
    parser.add_argument("--students", type=int, default=800, help="students per establishment")
    parser.add_argument("--recipients", type=int, nargs="+", default=[10, 100, 1000])
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

    call_command("migrate", interactive=False, verbosity=0)
    if not Establishment.objects.filter(uai="0540042K").exists():
        load_demo_region()
    report = seed_region(establishments=args.establishments, students_per_establishment=args.students, seed=args.seed)
    print(f"seed {args.establishments} x {args.students}: {report.total} rows in {report.seconds:.1f} s")


def families_and_principal():
    """The seeded establishment with the most guardians, one of its direction, and its guardians."""
    from django.db.models import Count

    from cartable.directory.actor import Actor, current
    from cartable.directory.models import Membership, Role

    guardians = current(Membership.objects.filter(role=Role.GUARDIAN))
    busiest = guardians.values("establishment_id").annotate(n=Count("id")).order_by("-n").first()
    establishment_id = busiest["establishment_id"]
    principal = current(Membership.objects.filter(establishment_id=establishment_id, role=Role.DIRECTION)).first()
    if principal is None:
        principal = current(Membership.objects.filter(establishment_id=establishment_id, role=Role.TEACHER)).first()
    ids = list(guardians.filter(establishment_id=establishment_id).values_list("person_id", flat=True).distinct())
    actor = Actor(principal.person, membership_id=principal.pk)
    actor.memberships  # noqa: B018  (loaded once, as in a request)
    return actor, ids


def send(actor, recipient_ids: list[int]) -> tuple[int, int, int, float]:
    """Send then fan out one message: recipients delivered, queries of the send, of the fan-out, seconds."""
    from django.db import connection, transaction

    from cartable.messaging import actions
    from cartable.messaging.models import MailboxEntry

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        with transaction.atomic():
            message, _recipients = actions.send_message(
                actor=actor,
                subject="Information aux familles",
                body="<p>Bonjour</p>",
                keys=[f"u:{pid}" for pid in recipient_ids],
            )
        sending = len(queries)
        if message.recipient_count > actions.INLINE_MAX:
            actions.deliver(message.pk)  # what the background task ``fan_out`` runs; small ones were delivered inline
        seconds = time.perf_counter() - started
    fanning = len(queries) - sending
    delivered = MailboxEntry.objects.filter(message=message, box="inbox").count()
    return delivered, sending, fanning, seconds


def main() -> None:
    args = parse_args()
    setup_django()
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    prepare(args)
    actor, families = families_and_principal()
    print(f"author: {actor.user} ({actor.role}), {len(families)} families in the establishment")
    print()
    print(f"{'recipients':>10} {'send queries':>13} {'fan-out queries':>16} {'seconds':>8}")
    for size in args.recipients:
        chosen = families[:size]
        delivered, sending, fanning, seconds = send(actor, chosen)
        print(f"{delivered:>10} {sending:>13} {fanning:>16} {seconds:>8.2f}")


if __name__ == "__main__":
    main()
