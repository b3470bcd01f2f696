"""The directory's writes: opening an establishment (with what every app gives it), the erasure of a person's
data (named by the data providers in hooks.py), and the memberships and guardianships the admin edits
(granting a role is audited like any other write)."""

from __future__ import annotations

from django.db import models, transaction

from cartable.core import audit, erasure, registry
from cartable.directory.actor import Actor
from cartable.directory.models import (
    Enrolment,
    Establishment,
    ExternalIdentifier,
    GroupMembership,
    Guardianship,
    Membership,
    SchoolClass,
    TeachingAssignment,
    User,
)

ESTABLISHMENT_FIELDS = ("academy_id", "uai", "name", "kind", "ministry", "city")


@transaction.atomic
def open_establishment(*, actor: Actor | None, establishment: Establishment) -> Establishment:
    """Save a new establishment and give it what every app registers for an opening one (the standing
    forums...): no page has to create them when first read."""
    establishment.save()
    audit.record(
        actor=actor,
        verb="directory.open_establishment",
        target=establishment,
        establishment_id=establishment.pk,
        after=audit.snapshot(establishment, ESTABLISHMENT_FIELDS),
    )
    set_up_establishment(actor=actor, establishment_id=establishment.pk)
    return establishment


@transaction.atomic
def set_up_establishment(*, actor: Actor | None, establishment_id: int) -> None:
    """Run every registered establishment setup (each is idempotent)."""
    for setup in registry.establishment_setups():
        setup(actor=actor, establishment_id=establishment_id)


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


# --- relations edited in the admin (memberships grant roles; guardianships open a child's file) ----------
MEMBERSHIP_FIELDS = ("person_id", "establishment_id", "role", "job_title", "start_date", "end_date")
GUARDIANSHIP_FIELDS = ("guardian_id", "student_id", "relationship", "legal_responsibility", "receives_notifications")


def _stored(model: type[models.Model], pk: int | None, fields: tuple[str, ...]) -> dict | None:
    row = model._default_manager.filter(pk=pk).first() if pk else None
    return audit.snapshot(row, fields) if row is not None else None


@transaction.atomic
def save_membership(*, actor: Actor | None, membership: Membership) -> Membership:
    """Grant a role in an establishment (or change its dates or title); audited with before and after."""
    before = _stored(Membership, membership.pk, MEMBERSHIP_FIELDS)
    membership.save()
    audit.record(
        actor=actor,
        verb="directory.grant_membership" if before is None else "directory.change_membership",
        target=membership,
        subject_id=membership.person_id,
        establishment_id=membership.establishment_id,
        before=before,
        after=audit.snapshot(membership, MEMBERSHIP_FIELDS),
    )
    return membership


@transaction.atomic
def remove_membership(*, actor: Actor | None, membership: Membership) -> None:
    """Withdraw a role (the row goes; the audit keeps what it was)."""
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    audit.record(
        actor=actor,
        verb="directory.remove_membership",
        target=membership,
        subject_id=membership.person_id,
        establishment_id=membership.establishment_id,
        before=before,
    )
    membership.delete()


@transaction.atomic
def link_external_identifier(
    *, actor: Actor | None, person: User, source: str, value: str, issuer: str = ""
) -> ExternalIdentifier:
    """Record the person's identifier in another system (an identity federation links it at the first
    sign-in: EduConnect); audited."""
    identifier = ExternalIdentifier.objects.create(person=person, source=source, issuer=issuer, value=value)
    audit.record(
        actor=actor,
        verb="directory.link_external_identifier",
        target=identifier,
        subject_id=person.pk,
        after={"source": source, "issuer": issuer},
    )
    return identifier


@transaction.atomic
def save_guardianship(*, actor: Actor | None, guardianship: Guardianship) -> Guardianship:
    """Link a guardian to a student (or change the link); audited with before and after."""
    before = _stored(Guardianship, guardianship.pk, GUARDIANSHIP_FIELDS)
    guardianship.save()
    audit.record(
        actor=actor,
        verb="directory.add_guardianship" if before is None else "directory.change_guardianship",
        target=guardianship,
        subject_id=guardianship.student_id,
        before=before,
        after=audit.snapshot(guardianship, GUARDIANSHIP_FIELDS),
    )
    return guardianship


@transaction.atomic
def remove_guardianship(*, actor: Actor | None, guardianship: Guardianship) -> None:
    """Unlink a guardian from a student (the row goes; the audit keeps what it was)."""
    audit.record(
        actor=actor,
        verb="directory.remove_guardianship",
        target=guardianship,
        subject_id=guardianship.student_id,
        before=audit.snapshot(guardianship, GUARDIANSHIP_FIELDS),
    )
    guardianship.delete()


# --- bulk writes for the directory's feeders (provisioning) ----------------------------------------------
@transaction.atomic
def write_in_bulk(
    *,
    actor: Actor | None,
    verb: str,
    creates: list[list[models.Model]],
    updates: list[tuple[type[models.Model], list[tuple[models.Model, dict]]]],
    removals: list[models.Model],
    note: dict,
    batch_size: int = 2000,
) -> int:
    """Write a feeder's changes in bulk, in one transaction, with one audit row per row written (the
    ``note`` — e.g. the import run — in each ``after``): ``creates`` are lists of new rows in dependency
    order (their foreign keys to rows created before are resolved), ``updates`` (model, [(row, the changed
    fields' old values)]), ``removals`` rows to delete (links only: a feeder never deletes a person).
    Returns the number of audit rows."""
    from cartable.core.models import AuditEvent

    events: list[AuditEvent] = []
    base = {
        "kind": AuditEvent.Kind.WRITE,
        "actor_id": getattr(actor, "user_id", None),
        "ip_address": getattr(actor, "ip_address", None),
    }

    def event(row: models.Model, suffix: str, before: dict | None, after: dict | None) -> AuditEvent:
        target_type, target_id = audit.target_of(row)
        return AuditEvent(
            verb=f"{verb}.{suffix}",
            target_type=target_type,
            target_id=target_id,
            subject_id=_subject_of(row),
            establishment_id=getattr(row, "establishment_id", None) or getattr(actor, "establishment_id", None),
            before=before,
            after={**(after or {}), **note},
            **base,
        )

    for rows in creates:
        if not rows:
            continue
        type(rows[0])._default_manager.bulk_create(rows, batch_size=batch_size)
        events.extend(event(r, "create", None, {}) for r in rows)
    for model, changed in updates:
        if not changed:
            continue
        fields = sorted({f for _row, before in changed for f in before})
        model._default_manager.bulk_update([r for r, _b in changed], fields, batch_size=batch_size)
        events.extend(
            event(r, "change", before, {f: audit.plain(_value(r, f)) for f in before}) for r, before in changed
        )
    for row in removals:
        events.append(event(row, "remove", {"pk": row.pk}, None))
        row.delete()
    AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    return len(events)


def _value(row: models.Model, name: str) -> object:
    value = getattr(row, name)
    return value.pk if isinstance(value, models.Model) else value


def _subject_of(row: models.Model) -> int | None:
    if isinstance(row, User):
        return row.pk
    for name in ("person_id", "student_id", "teacher_id", "head_teacher_id"):
        if hasattr(row, name):
            return getattr(row, name)
    return None
