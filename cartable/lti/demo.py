"""The demo's LTI tool: « Moodle (démo) », registered by the collège's principal as Moodle's « Publish as LTI
tool » gives its addresses, with one activity that paul.dupont placed for his 5e A, so that lucas.martin finds
it on « Outils pédagogiques ». The addresses are invented (``moodle.cartable.test``): the launch is signed and
posted, and the demo shows where it goes, as the CAS demo service does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartable.directory.actor import Actor
from cartable.directory.models import SchoolClass
from cartable.lti import actions
from cartable.lti.models import Tool

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

MOODLE = "https://moodle.cartable.test"


def load_demo(personas: Personas) -> list[Tool]:
    """Register the demo's tool and its activity (unless the tool exists already) and return the tool."""
    if Tool.objects.filter(launch_url=f"{MOODLE}/enrol/lti/launch.php").exists():
        return []
    college = personas.college.establishment
    tool = actions.register_tool(
        actor=Actor(personas.people["marc.leroy"]),
        establishment=college,
        name="Moodle (démo)",
        login_url=f"{MOODLE}/enrol/lti/login.php",
        launch_url=f"{MOODLE}/enrol/lti/launch.php",
        deep_link_url=f"{MOODLE}/enrol/lti/launch_deeplink.php",
        redirect_uris=f"{MOODLE}/enrol/lti/launch.php\n{MOODLE}/enrol/lti/launch_deeplink.php",
        jwks_url=f"{MOODLE}/enrol/lti/jwks.php",
        allow_ags=True,
    )
    actions.place_link(
        actor=Actor(personas.people["paul.dupont"]),
        tool=tool,
        title="Les fractions : exercices en ligne",
        school_class=SchoolClass.objects.get(establishment=college, name="5e A"),
    )
    return [tool]
