"""Writes of the news: publish, change, delete, and announce to the audience. Atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import models as django_models
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, erasure, richtext, uploads
from cartable.core.authz import Action
from cartable.core.notify import notify, withdraw
from cartable.directory.actor import Actor, current
from cartable.directory.models import STAFF_ROLES, Enrolment, Guardianship, Membership, Role, User
from cartable.directory.queries import classes_of_establishment
from cartable.news.models import NewsItem

Audience = NewsItem.Audience
FIELDS = ("audience", "title", "body", "pinned", "image_name", "image_alt")
IMAGE_FOLDER = "news/%Y/%m/"
NOTIFY_KIND = "news.published"
NOTIFY_BATCH = 5000


def _snapshot(item: NewsItem, class_ids: Iterable[int]) -> dict:
    values = {f: getattr(item, f) for f in FIELDS}
    values["publish_at"] = item.publish_at.isoformat()
    values["expires_at"] = item.expires_at.isoformat() if item.expires_at else None
    values["classes"] = sorted(class_ids)
    return values


def _store_image(item: NewsItem, image: uploads.CheckedFile | None, alt: str) -> str:
    """Store a checked image on the item; return the name of the file it replaces ("" when none)."""
    replaced = ""
    if image is not None:
        replaced = item.image.name or ""
        name = uploads.store(image, folder=IMAGE_FOLDER)
        item.image.name = name
        item.image_name = image.original_name
        item.image_type = image.content_type
    if item.image:
        item.image_alt = alt.strip()
        if not item.image_alt:
            raise ValueError(_("Décrivez l'image (texte alternatif)."))
    return replaced


@transaction.atomic
def publish_news(
    *,
    actor: Actor,
    establishment_id: int | None,
    audience: str,
    title: str,
    body: str = "",
    pinned: bool = False,
    publish_at: dt.datetime | None = None,
    expires_at: dt.datetime | None = None,
    class_ids: Iterable[int] = (),
    image: uploads.CheckedFile | None = None,
    image_alt: str = "",
) -> NewsItem:
    """Create a piece of news; announced to its audience now when already visible, else when it becomes so.

    ``establishment_id`` None makes region-wide news (the regional administrator only), for everyone.
    """
    class_ids = sorted(set(class_ids)) if audience == Audience.CLASSES else []
    item = NewsItem(
        establishment_id=establishment_id,
        audience=Audience.EVERYONE if establishment_id is None else audience,
        title=title,
        body=richtext.sanitize(body),
        pinned=pinned,
        publish_at=publish_at or timezone.now(),
        expires_at=expires_at,
        author_id=actor.user_id,
    )
    # The policy reads the classes to be before their rows exist.
    item.target_class_ids = class_ids  # type: ignore[attr-defined]
    authz.require(actor, Action.CREATE, item)
    classes = classes_of_establishment(establishment_id, class_ids)
    _store_image(item, image, image_alt)
    item.save()
    item.classes.set(classes)
    audit.record(
        actor=actor,
        verb="news.publish",
        target=item,
        establishment_id=establishment_id,
        after=_snapshot(item, class_ids) | ({"image_sha256": image.sha256} if image else {}),
    )
    _announce_if_due(item)
    return item


@transaction.atomic
def update_news(
    *,
    actor: Actor,
    item: NewsItem,
    audience: str,
    title: str,
    body: str = "",
    pinned: bool = False,
    publish_at: dt.datetime,
    expires_at: dt.datetime | None = None,
    class_ids: Iterable[int] = (),
    image: uploads.CheckedFile | None = None,
    image_alt: str = "",
    remove_image: bool = False,
) -> NewsItem:
    """Change a piece of news (its audience stays within its establishment); not announced again."""
    authz.require(actor, Action.CHANGE, item)
    locked = NewsItem.objects.select_for_update().get(pk=item.pk)
    before = _snapshot(locked, [c.pk for c in locked.classes.all()])
    class_ids = sorted(set(class_ids)) if audience == Audience.CLASSES else []
    if locked.establishment_id is not None:
        locked.audience = audience
    locked.title, locked.body, locked.pinned = title, richtext.sanitize(body), pinned
    locked.publish_at, locked.expires_at = publish_at, expires_at
    locked.target_class_ids = class_ids
    authz.require(actor, Action.CHANGE, locked)
    classes = classes_of_establishment(locked.establishment_id, class_ids)
    old_file = ""
    if remove_image and image is None and locked.image:
        old_file = locked.image.name
        locked.image.name, locked.image_name, locked.image_type, locked.image_alt = "", "", "", ""
    replaced = _store_image(locked, image, image_alt or locked.image_alt)
    old_file = old_file or replaced
    locked.save()
    locked.classes.set(classes)
    if old_file:
        uploads.delete_after_commit([old_file])
    audit.record(
        actor=actor,
        verb="news.update",
        target=locked,
        establishment_id=locked.establishment_id,
        before=before,
        after=_snapshot(locked, class_ids) | ({"image_sha256": image.sha256} if image else {}),
    )
    _announce_if_due(locked)
    return locked


@transaction.atomic
def delete_news(*, actor: Actor, item: NewsItem) -> None:
    """Delete a piece of news and, after commit, its image."""
    authz.require(actor, Action.DELETE, item)
    before = _snapshot(item, [c.pk for c in item.classes.all()])
    audit.record(actor=actor, verb="news.delete", target=item, establishment_id=item.establishment_id, before=before)
    name = item.image.name
    withdraw(item)  # its announcements lead nowhere now
    item.delete()
    if name:
        uploads.delete_after_commit([name])


# --- announcing ----------------------------------------------------------------------------------------
def audience_ids(item: NewsItem) -> list[int]:
    """The people the item's audience reaches (one query; two for class news)."""
    return audience(item)[0]


def audience(item: NewsItem) -> tuple[list[int], dict[int, int]]:
    """The people the item's audience reaches, and for class news each guardian's child in those classes (the
    notice names that child). One query; two for class news."""
    memberships = current(Membership.objects.all())
    rows: Iterable[int]
    children: dict[int, int] = {}
    if item.establishment_id is None:
        rows = memberships.values_list("person_id", flat=True)
    elif item.audience == Audience.EVERYONE:
        rows = memberships.filter(establishment_id=item.establishment_id).values_list("person_id", flat=True)
    elif item.audience == Audience.STAFF:
        rows = memberships.filter(establishment_id=item.establishment_id, role__in=STAFF_ROLES).values_list(
            "person_id", flat=True
        )
    elif item.audience == Audience.FAMILIES:
        rows = memberships.filter(establishment_id=item.establishment_id, role=Role.GUARDIAN).values_list(
            "person_id", flat=True
        )
    else:
        class_ids = news_class_ids_of(item)
        students = list(
            current(Enrolment.objects.filter(school_class_id__in=class_ids)).values_list("student_id", flat=True)
        )
        links = Guardianship.objects.filter(student_id__in=students).order_by("student_id")
        children = dict(links.values_list("guardian_id", "student_id"))
        rows = students + list(children)
    people = sorted(set(rows) - {item.author_id})
    return people, {g: s for g, s in children.items() if g != item.author_id}


def notice_of(item: NewsItem) -> tuple[str, str, str]:
    """The announcement's title, text and link."""
    title = _("Nouvelle actualité : %(title)s") % {"title": item.title}
    return title, richtext.to_text(item.body)[:300], reverse("news:detail", args=[item.pk])


def news_class_ids_of(item: NewsItem) -> list[int]:
    pending = getattr(item, "target_class_ids", None)
    return list(pending) if pending is not None else list(item.classes.values_list("pk", flat=True))


# Establishment audiences are a few hundred people: one bulk notify in the action's transaction. Region-wide
# news reaches the whole region: a background task writes it.
def _announce_if_due(item: NewsItem) -> None:
    if item.notified_at is not None or item.publish_at > timezone.now():
        return
    if item.establishment_id is None:
        from cartable.news.tasks import announce_news

        pk = item.pk
        transaction.on_commit(lambda: announce_news.enqueue(pk))
        return
    announce(item=item)


def announce(*, item: NewsItem) -> int:
    """Notify the audience once: the row is claimed by a conditional update on ``notified_at``."""
    claimed = NewsItem.objects.filter(pk=item.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return 0
    recipients, children = audience(item)
    title, body, url = notice_of(item)
    for start in range(0, len(recipients), NOTIFY_BATCH):  # a region is many thousands of people
        batch = recipients[start : start + NOTIFY_BATCH]
        notify(
            recipients=batch,
            kind=NOTIFY_KIND,
            title=title,
            body=body,
            url=url,
            target=item,
            establishment_id=item.establishment_id,
            about={g: children[g] for g in batch if g in children} or None,  # a class's families: their child
        )
    return len(recipients)


def announce_due() -> int:
    """Announce every item that has become visible and was not announced yet (the periodic job)."""
    now = timezone.now()
    count = 0
    due = NewsItem.objects.filter(Q(notified_at__isnull=True), publish_at__lte=now).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    for item in due.order_by("publish_at")[:200]:
        with transaction.atomic():
            count += announce(item=item)
    return count


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    NewsItem: erasure.unlink("author"),  # the school's news stays, unsigned
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="news", rules=ERASURE, user=user, model=model, actor=actor)
