"""Relation queries of the directory: who is related to whom. Each is one query (or a few), no loops.

Other apps use these rather than walking the directory's tables themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import Q, QuerySet

from cartable.core.french import fold
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    Enrolment,
    Establishment,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    Subject,
    TeachingAssignment,
    User,
)


def classes_of_establishment(establishment_id: int | None, class_ids: Iterable[int]) -> list[SchoolClass]:
    """The classes named by ``class_ids``, all in that establishment; PermissionDenied if any is not (an
    audience chosen in a form names only classes of the author's establishment)."""
    ids = sorted(set(class_ids))
    if not ids:
        return []
    found = list(SchoolClass.objects.filter(pk__in=ids, establishment_id=establishment_id))
    if len(found) != len(ids):
        raise PermissionDenied
    return found


def children_of(guardian: User) -> QuerySet[User]:
    """The students a person is guardian of."""
    return User.objects.filter(guardians_links__guardian=guardian).order_by("first_name", "id")


def guardians_of(student: User, *, notified_only: bool = False) -> QuerySet[User]:
    """The guardians of a student; ``notified_only`` keeps those who receive notifications."""
    links = Q(guardianships__student=student)
    if notified_only:
        links &= Q(guardianships__receives_notifications=True)
    return User.objects.filter(links).distinct().order_by("last_name", "first_name")


def guardians_of_students(student_ids: Iterable[int], *, notified_only: bool = True) -> dict[int, list[int]]:
    """For many students at once: student id -> guardian ids (one query)."""
    rows = Guardianship.objects.filter(student_id__in=list(student_ids))
    if notified_only:
        rows = rows.filter(receives_notifications=True)
    result: dict[int, list[int]] = {}
    for student_id, guardian_id in rows.values_list("student_id", "guardian_id"):
        result.setdefault(student_id, []).append(guardian_id)
    return result


def students_of_class(school_class: SchoolClass, on=None) -> QuerySet[User]:
    """The students currently enrolled in a class."""
    enrolled = current(Enrolment.objects.filter(school_class=school_class), on).values("student_id")
    return User.objects.filter(pk__in=enrolled).order_by("last_name", "first_name")


def classes_of_student(student: User, on=None) -> QuerySet[SchoolClass]:
    enrolled = current(Enrolment.objects.filter(student=student), on).values("school_class_id")
    return SchoolClass.objects.filter(pk__in=enrolled).select_related("establishment")


def teachers_of_class(school_class: SchoolClass, on=None) -> QuerySet[User]:
    """Teachers teaching the class directly or one of its groups."""
    assignments = current(
        TeachingAssignment.objects.filter(Q(school_class=school_class) | Q(group__classes=school_class)), on
    ).values("teacher_id")
    return User.objects.filter(pk__in=assignments).order_by("last_name", "first_name")


def teachers_of_student(student: User, on=None) -> QuerySet[User]:
    class_ids = current(Enrolment.objects.filter(student=student), on).values("school_class_id")
    group_ids = current(GroupMembership.objects.filter(student=student), on).values("group_id")
    assignments = current(
        TeachingAssignment.objects.filter(Q(school_class_id__in=class_ids) | Q(group_id__in=group_ids)), on
    ).values("teacher_id")
    return User.objects.filter(pk__in=assignments).order_by("last_name", "first_name")


def students_taught_by(teacher: User, establishment: Establishment | None = None, on=None) -> QuerySet[User]:
    """Students in the classes and groups a teacher teaches."""
    assignments = current(TeachingAssignment.objects.filter(teacher=teacher), on)
    if establishment is not None:
        assignments = assignments.filter(establishment=establishment)
    by_class = current(Enrolment.objects.filter(school_class_id__in=assignments.values("school_class_id")), on).values(
        "student_id"
    )
    by_group = current(GroupMembership.objects.filter(group_id__in=assignments.values("group_id")), on).values(
        "student_id"
    )
    return User.objects.filter(Q(pk__in=by_class) | Q(pk__in=by_group)).order_by("last_name", "first_name")


def classes_taught_by(teacher: User, establishment: Establishment | None = None, on=None) -> QuerySet[SchoolClass]:
    assignments = current(TeachingAssignment.objects.filter(teacher=teacher), on)
    if establishment is not None:
        assignments = assignments.filter(establishment=establishment)
    return SchoolClass.objects.filter(
        Q(pk__in=assignments.values("school_class_id")) | Q(groups__in=assignments.values("group_id"))
    ).distinct()


def people_with_role(establishment: Establishment, role: str, on=None) -> QuerySet[User]:
    members = current(Membership.objects.filter(establishment=establishment, role=role), on).values("person_id")
    return User.objects.filter(pk__in=members).order_by("last_name", "first_name")


def school_life_staff(establishment: Establishment) -> QuerySet[User]:
    return people_with_role(establishment, Role.EDUCATION)


def direction_of(establishment: Establishment) -> QuerySet[User]:
    return people_with_role(establishment, Role.DIRECTION)


def establishments_visible_to(actor: Actor) -> QuerySet[Establishment]:
    return Establishment.objects.visible_to(actor).select_related("academy")


def directory_page(actor: Actor, *, search: str = "", role: str = "", page: int = 1, per_page: int = 50) -> Page:
    """The annuaire of the active establishment as the actor may see it: one page of people with their
    roles there, filtered by name, subject taught and role. Three queries whatever the size (count, page,
    memberships), and one more for the subjects when searching."""
    from django.core.paginator import Paginator
    from django.db.models import Prefetch

    establishment_id = actor.establishment_id
    here = current(Membership.objects.filter(establishment_id=establishment_id))
    if role:
        here = here.filter(role=role)
    people = User.objects.visible_to(actor).filter(pk__in=here.values("person_id"), is_active=True)
    words = search.split()[:4]
    subjects = subjects_named([establishment_id] if establishment_id else [], words)
    for word in words:
        people = people.filter(person_matches(word, subjects.get(word, ())) | Q(username__icontains=word))
    people = people.order_by("last_name", "first_name", "id").prefetch_related(
        Prefetch(
            "memberships",
            queryset=current(Membership.objects.filter(establishment_id=establishment_id)).order_by("role"),
            to_attr="memberships_here",
        )
    )
    return Paginator(people, per_page).get_page(page)


def _names_subject(word: str, code: str, name: str) -> bool:
    """Whether a typed word names a subject: its code (« svt »), or the start of a word of its name, plural
    or abbreviated (« maths », « math », « mathématique » all name « Mathématiques »)."""
    typed = fold(word)
    stem = typed[:-1] if len(typed) > 3 and typed.endswith("s") else typed
    if typed == fold(code) or stem == fold(code):
        return True
    return len(stem) >= 3 and any(part.startswith(stem) for part in fold(name).replace("-", " ").split())


def subjects_named(establishment_ids: Iterable[int], words: Iterable[str]) -> dict[str, list[int]]:
    """For each typed word, the subjects of those establishments it names (one query; none without words)."""
    words = list(words)
    if not words:
        return {}
    subjects = list(
        Subject.objects.filter(establishment_id__in=list(establishment_ids)).values_list("pk", "code", "name")
    )
    return {word: [pk for pk, code, name in subjects if _names_subject(word, code, name)] for word in words}


def person_matches(word: str, subject_ids: Iterable[int], on=None) -> Q:
    """People whose first or last name contains ``word``, or who teach one of those subjects now."""
    found = Q(last_name__icontains=word) | Q(first_name__icontains=word)
    subject_ids = list(subject_ids)
    if subject_ids:
        teaching = current(TeachingAssignment.objects.filter(subject_id__in=subject_ids), on).values("teacher_id")
        found |= Q(pk__in=teaching)
    return found


def teaching_of(person_ids: Iterable[int], establishment_ids: Iterable[int], on=None) -> dict[int, list[str]]:
    """What each of these people teaches now in those establishments, one line per subject with its classes
    and groups: « Mathématiques — 5e A, 4e B » (one query, whatever the number of people)."""
    rows = (
        current(
            TeachingAssignment.objects.filter(
                teacher_id__in=list(person_ids), establishment_id__in=list(establishment_ids)
            ),
            on,
        )
        .values_list("teacher_id", "subject__name", "school_class__name", "group__name")
        .order_by()
    )
    taught: dict[int, dict[str, tuple[set[str], set[str]]]] = {}
    for teacher_id, subject, class_name, group_name in rows:
        classes, groups = taught.setdefault(teacher_id, {}).setdefault(subject, (set(), set()))
        if class_name:
            classes.add(class_name)
        elif group_name:
            groups.add(group_name)
    lines: dict[int, list[str]] = {}
    for teacher_id, subjects in taught.items():
        for subject, (classes, groups) in sorted(subjects.items()):
            audiences = sorted(classes) + sorted(groups)  # the classes, then the groups
            lines.setdefault(teacher_id, []).append(f"{subject} — {', '.join(audiences)}" if audiences else subject)
    return lines


def annuaire_extras(actor: Actor, people: Iterable[User]) -> dict[int, dict]:
    """What the annuaire shows beside each person of a page: what they teach here (one query) and the links
    the apps offer (« Écrire », in the queries of the apps that offer them)."""
    from cartable.core import registry

    ids = [p.pk for p in people]
    if not ids:
        return {}
    teaching = teaching_of(ids, [actor.establishment_id] if actor.establishment_id else [])
    links = registry.person_links(actor, ids, actor.module_settings)
    return {pk: {"teaching": teaching.get(pk, []), "links": links.get(pk, [])} for pk in ids}
