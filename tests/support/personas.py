"""Test base classes: a persona school built once per test class, and helpers to act as a persona."""

from django.test import TestCase

from cartable.demo.personas import Personas, build_personas
from cartable.directory.actor import Actor

# The persona school's year has run for at least this long on any date the suite runs (see build_personas).
HISTORY_WEEKS = 10


class PersonaTestCase(TestCase):
    """A test case with the persona school: ``self.people["lucas.martin"]``, ``self.school.college``..."""

    school: Personas

    @classmethod
    def setUpTestData(cls):
        cls.school = build_personas(history_weeks=HISTORY_WEEKS)
        cls.people = cls.school.people

    def actor(self, username: str, *, role: str | None = None, establishment=None) -> Actor:
        """The actor of a persona, acting through ``role`` (in ``establishment``) when given."""
        user = self.people[username]
        membership_id = None
        if role is not None:
            probe = Actor(user)
            membership_id = next(
                m.pk
                for m in probe.memberships
                if m.role == role and (establishment is None or m.establishment_id == establishment.pk)
            )
        return Actor(user, membership_id=membership_id)

    def login(self, username: str) -> None:
        self.client.force_login(self.people[username])


# One persona per kind of menu (a role each, and sophie.bernard, teacher and guardian): the browser walks of
# every menu page and the phone's first screen.
MENU_PERSONAS = [
    "lucas.martin",
    "claire.martin",
    "paul.dupont",
    "sophie.bernard",
    "nadia.petit",
    "marc.leroy",
    "julie.moreau",
    "admin.region",
]

# The thirteen personas the communication matrices walk (news, forums).
EVERYBODY = [
    "lucas.martin",
    "lea.bernard",
    "ines.girard",
    "emma.martin",
    "claire.martin",
    "thomas.girard",
    "paul.dupont",
    "sophie.bernard",
    "nadia.petit",
    "marc.leroy",
    "julie.moreau",
    "admin.region",
    "charlie.roux",
]
