"""The directory's writes: the erasure of a person's data (named by the data providers in hooks.py)."""

from __future__ import annotations

from django.db import models, transaction

from cartable.core import erasure
from cartable.directory.actor import Actor
from cartable.directory.models import (
    Enrolment,
    ExternalIdentifier,
    GroupMembership,
    Guardianship,
    Membership,
    SchoolClass,
    TeachingAssignment,
    User,
)


def _anonymise(model: type[models.Model], user: User) -> int:
    """Identity removed, the row kept so that others' records stay consistent."""
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.birth_date = None
    user.is_active = False
    user.username = f"efface-{user.pk}"
    user.set_unusable_password()
    user.save()
    return 1


ERASURE: dict[type[models.Model], erasure.Rule] = {
    User: _anonymise,
    ExternalIdentifier: erasure.delete("person"),
    Membership: erasure.delete("person"),
    Enrolment: erasure.delete("student"),
    GroupMembership: erasure.delete("student"),
    TeachingAssignment: erasure.delete("teacher"),
    Guardianship: erasure.delete("guardian", "student"),
    SchoolClass: erasure.unlink("head_teacher"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="directory", rules=ERASURE, user=user, model=model, actor=actor)
