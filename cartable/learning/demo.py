"""The demo's question bank: paul.dupont's maths questions at the collège (about forty, of every type),
kept as a GIFT file beside this module and imported through the import action, as a teacher would.
One category, « Fractions », is shared with the collège's maths teachers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cartable.directory.actor import Actor
from cartable.learning import actions, formats
from cartable.learning.models import Bank, Category

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

GIFT_FILE = Path(__file__).parent / "demo_data" / "maths-college.gift"


def load_demo(personas: Personas) -> int:
    """Import paul.dupont's bank (unless he has one already); return the number of questions."""
    paul = personas.people["paul.dupont"]
    college = personas.college.establishment
    if Bank.objects.filter(owner=paul, establishment=college).exists():
        return 0
    parsed = formats.parse(GIFT_FILE.read_bytes())
    done = actions.import_questions(actor=None, owner=paul, establishment_id=college.pk, parsed=parsed)
    fractions = Category.objects.get(bank__owner=paul, establishment=college, path="Fractions")
    actor = Actor(paul, membership_id=next(m.pk for m in Actor(paul).memberships if m.establishment_id == college.pk))
    actions.share_category(
        actor=actor, category=fractions, sharing=Category.Sharing.SUBJECT, subject=personas.college.subjects["MATH"]
    )
    return done.questions
