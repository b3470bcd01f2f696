"""``cartable activation_code <username>``: issue a one-time activation code and print it."""

from django.core.management.base import BaseCommand, CommandError

from cartable.accounts.actions import issue_activation_code
from cartable.directory.models import User


class Command(BaseCommand):
    help = "Issue a new activation code for a person (previous unused codes stop working) and print it."

    def add_arguments(self, parser):
        parser.add_argument("username", help="the person's login, e.g. zoe.fontaine")
        parser.add_argument("--days", type=int, default=30, help="days before the code expires (default 30)")

    def handle(self, *args, username: str, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No person has the login {username!r}.")
        if not user.is_active:
            raise CommandError(f"The account {username!r} is disabled: enable it before issuing a code.")
        code = issue_activation_code(actor=None, user=user, valid_days=days)
        self.stdout.write(code)
        self.stderr.write(f"Activation code for {username}, valid {days} days: give it to the person only.")
