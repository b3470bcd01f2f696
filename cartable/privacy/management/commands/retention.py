"""``cartable retention``: print what the retention rules would remove today; ``--apply`` removes it."""

from django.core.management.base import BaseCommand

from cartable.privacy import actions, retention


class Command(BaseCommand):
    help = "Print, per retention rule, how many rows are past their time (a dry run); --apply removes them."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="apply the rules now, as the daily job does")

    def handle(self, *args, apply: bool, **options):
        for line in retention.report():
            self.stdout.write(f"{line.label}\t{line.rows}\t{line.rule}")
        if apply:
            done = actions.apply_retention()
            self.stdout.write(f"applied: {sum(done.values())} rows changed (accounts: cartable purge_leavers)")
