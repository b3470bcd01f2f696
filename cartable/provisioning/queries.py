"""Provisioning's reads: the import runs the regional administrator sees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.directory.actor import Actor, current
from cartable.directory.models import Enrolment, Guardianship, Membership, Role, SchoolClass, SchoolYear, User
from cartable.provisioning.aaf.structure import school_year_bounds
from cartable.provisioning.models import FedEstablishment, ImportRun, LeaverPurge, LetterBatch

HISTORY = 50


def runs(actor: Actor) -> QuerySet[ImportRun]:
    """The latest runs, newest first, with who asked for them (one query)."""
    return ImportRun.objects.visible_to(actor).select_related("requested_by")[:HISTORY]


def run_queryset() -> QuerySet[ImportRun]:
    return ImportRun.objects.select_related("requested_by")


def has_example_delta() -> bool:
    """Whether the demo's personas are fed by the AAF, so that its example delta names them (one query)."""
    from cartable.provisioning.demo import STRUCTURES

    return FedEstablishment.objects.filter(jointure=STRUCTURES["college"]).exists()


# --- activation letters --------------------------------------------------------------------------------


def letter_classes(actor: Actor) -> QuerySet[SchoolClass]:
    """The classes of the actor's establishment this school year, each with how many of its students have
    not activated their account (``to_activate``): one query whatever their number; none for someone who may
    not print the letters."""
    establishment = actor.establishment
    if establishment is None or not authz.can(actor, "provisioning.print_letters", establishment):
        return SchoolClass.objects.none()
    today = timezone.localdate()
    waiting = (
        Q(enrolments__start_date__lte=today)
        & (Q(enrolments__end_date__isnull=True) | Q(enrolments__end_date__gte=today))
        & Q(enrolments__student__is_active=True, enrolments__student__activated_at__isnull=True)
    )
    return (
        SchoolClass.objects.filter(
            establishment=establishment, school_year__start_date__lte=today, school_year__end_date__gte=today
        )
        .annotate(to_activate=Count("enrolments__student", filter=waiting, distinct=True))
        .order_by("level", "name", "pk")
    )


def letter_class_queryset() -> QuerySet[SchoolClass]:
    return SchoolClass.objects.select_related("establishment", "school_year")


def letter_batches(actor: Actor) -> list[LetterBatch]:
    """The letters the actor asked for that are still kept, newest first, with their class (one query)."""
    return list(
        LetterBatch.objects.visible_to(actor)
        .filter(expires_at__gt=timezone.now())
        .select_related("school_class")
        .order_by("-created_at", "-id")
    )


def letter_batch_for(actor: Actor, pk: int, *, ready: bool = False) -> LetterBatch:
    """One of the actor's batches still kept (``ready``: with its PDF to download); anyone else's, an expired
    or replaced one, or a forged id: the same 404."""
    batches = LetterBatch.objects.filter(expires_at__gt=timezone.now()).select_related("school_class")
    if ready:
        batches = batches.filter(status=LetterBatch.Status.DONE).exclude(file="")
    return authz.access(actor, batches, pk)


@dataclass
class Addressee:
    """One activation letter's person: a student of the class, or a guardian naming their children in it."""

    person: User
    kind: str  # Role.STUDENT or Role.GUARDIAN
    children: list[User] = field(default_factory=list)


def letter_addressees(school_class: SchoolClass) -> list[Addressee]:
    """The people of a class who have not activated their account yet: its current students, then the
    guardians with legal responsibility of its students (a current membership in the establishment), each
    with their children in the class; by name. Three queries."""
    students = list(
        User.objects.filter(
            pk__in=current(Enrolment.objects.filter(school_class=school_class)).values("student_id")
        ).order_by("last_name", "first_name", "pk")
    )
    here = current(Membership.objects.filter(establishment_id=school_class.establishment_id, role=Role.GUARDIAN))
    links = (
        Guardianship.objects.filter(
            student__in=students,
            legal_responsibility=True,
            guardian__is_active=True,
            guardian__activated_at__isnull=True,
            guardian_id__in=here.values("person_id"),
        )
        .select_related("guardian")
        .order_by("guardian__last_name", "guardian__first_name", "guardian_id", "student_id")
    )
    by_id = {s.pk: s for s in students}
    guardians: dict[int, Addressee] = {}
    for link in links:
        guardians.setdefault(link.guardian_id, Addressee(link.guardian, Role.GUARDIAN)).children.append(
            by_id[link.student_id]
        )
    waiting = [Addressee(s, Role.STUDENT) for s in students if s.is_active and s.activated_at is None]
    return waiting + list(guardians.values())


# --- leavers: the purge's dry run ------------------------------------------------------------------------
LEAVERS_SHOWN = 100


@dataclass
class Leavers:
    """What the daily purge would erase today: how many accounts, the first of them with the day their last
    membership ended, how many are kept under limitation, and the latest runs."""

    cutoff: dt.date
    count: int
    limited: int
    people: Sequence[User]
    runs: list[LeaverPurge]


def leavers(actor: Actor, now: dt.datetime | None = None) -> Leavers | None:
    """The purge's dry run for the regional administrator (four queries whatever the numbers); None for
    anybody else."""
    from cartable.privacy import retention
    from cartable.privacy.models import limited_people

    if not authz.can(actor, "provisioning.import"):
        return None
    now = now or timezone.now()
    due = retention.expired_accounts(now)
    people = list(
        due.annotate(last_end=Max("memberships__end_date")).order_by("last_end", "last_name", "pk")[:LEAVERS_SHOWN]
    )
    return Leavers(
        cutoff=retention.account_cutoff(timezone.localdate(now)),
        count=due.count(),
        limited=retention.leavers(now).filter(pk__in=limited_people()).count(),
        people=people,
        runs=list(LeaverPurge.objects.visible_to(actor)[:10]),
    )


# --- school years ---------------------------------------------------------------------------------------
def next_school_year(today: dt.date | None = None) -> tuple[str, dt.date, dt.date] | None:
    """The school year the regional administrator may open: the one after the region's last, unless a year
    has not begun yet (then None: a year is opened once, and only one ahead). One query."""
    today = today or timezone.localdate()
    found = SchoolYear.objects.aggregate(last=Max("end_date"), ahead=Count("pk", filter=Q(start_date__gt=today)))
    if found["ahead"]:
        return None
    return school_year_bounds(found["last"] + dt.timedelta(days=1) if found["last"] else today)
