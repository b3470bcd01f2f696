"""The demo's connected service: « Vie scolaire (démo) », a CAS service open to the collège's students and
teachers, registered by the collège's principal through the action (audited like any registration)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartable.directory.actor import Actor
from cartable.directory.models import Role
from cartable.sso import actions
from cartable.sso.models import Service

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

DEMO_URL = "https://services.cartable.test/vie-scolaire/"


def load_demo(personas: Personas) -> list[Service]:
    """Register the demo's CAS service (unless it exists already) and return it."""
    if Service.objects.filter(url=DEMO_URL).exists():
        return []
    principal = Actor(personas.people["marc.leroy"])
    service = actions.register_service(
        actor=principal,
        establishment=personas.college.establishment,
        name="Vie scolaire (démo)",
        description="Le logiciel de vie scolaire du collège, ouvert par l'authentification unique.",
        icon=Service.Icon.SCHOOL,
        kind=Service.Kind.CAS,
        url=DEMO_URL,
        addresses=DEMO_URL,
        roles=[Role.STUDENT, Role.TEACHER],
        profile=Service.Profile.SCHOOL,
    )
    return [service]
