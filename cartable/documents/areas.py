"""Writes of the class resource areas: open an area, publish a file or a link, replace a file, withdraw.

A resource is referenced, never copied: a homework (later) points to the row, so a replaced file shows
everywhere and a withdrawn one reads « ressource retirée » (``queries.resource_reference``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, uploads
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import Group, SchoolClass, Subject
from cartable.documents.actions import Refused
from cartable.documents.models import Resource, ResourceArea

FOLDER = "resources/%Y/%m/"


@transaction.atomic
def open_area(
    *, actor: Actor, subject_id: int, school_class_id: int | None = None, group_id: int | None = None
) -> ResourceArea:
    """The area of a class (or a group) in a subject, created the first time one of its teachers opens it;
    ``PermissionDenied`` for anyone but the teachers of that assignment."""
    if not actor.teaches_subject_to(subject_id=subject_id, class_id=school_class_id, group_id=group_id):
        raise PermissionDenied
    subject = Subject.objects.get(pk=subject_id)
    school_class = SchoolClass.objects.filter(pk=school_class_id).first() if school_class_id else None
    group = Group.objects.filter(pk=group_id).first() if group_id and not school_class else None
    place = school_class or group
    if place is None:
        raise Refused(_("Choisissez une classe ou un groupe."))
    area = ResourceArea.objects.filter(school_class=school_class, group=group, subject=subject).first()
    if area is not None:
        authz.require(actor, "documents.publish_resource", area)
        return area
    area = ResourceArea(
        establishment_id=place.establishment_id, school_class=school_class, group=group, subject=subject
    )
    authz.require(actor, "documents.publish_resource", area)
    area.save()
    audit.record(actor=actor, verb="documents.open_area", target=area, establishment_id=area.establishment_id)
    return area


@transaction.atomic
def publish_resource(
    *,
    actor: Actor,
    area: ResourceArea,
    title: str,
    chapter: str = "",
    checked: uploads.CheckedFile | None = None,
    url: str = "",
    publish_at: dt.datetime | None = None,
) -> Resource:
    """Publish a file or a link in an area, visible from ``publish_at`` (now by default)."""
    authz.require(actor, "documents.publish_resource", area)
    if (checked is None) == (not url):
        raise Refused(_("Joignez un fichier ou donnez un lien."))
    resource = Resource(
        establishment_id=area.establishment_id,
        area=area,
        chapter=chapter.strip()[:120],
        title=title.strip()[:200] or (checked.original_name if checked else url),
        url=url,
        publish_at=publish_at or timezone.now(),
        author_id=actor.user_id,
    )
    if checked is not None:
        _set_file(resource, checked)
    resource.save()
    after = {"title": resource.title, "chapter": resource.chapter, "publish_at": resource.publish_at.isoformat()}
    audit.record(
        actor=actor,
        verb="documents.publish_resource",
        target=resource,
        establishment_id=area.establishment_id,
        after=after | ({"sha256": checked.sha256} if checked else {"url": url}),
    )
    return resource


def _set_file(resource: Resource, checked: uploads.CheckedFile) -> None:
    resource.file.name = uploads.store(checked, folder=FOLDER)
    resource.file_name, resource.content_type = checked.original_name, checked.content_type
    resource.size, resource.sha256 = checked.size, checked.sha256


@transaction.atomic
def replace_resource_file(*, actor: Actor, resource: Resource, checked: uploads.CheckedFile) -> Resource:
    """A new version of a resource's file: every reference shows it."""
    authz.require(actor, Action.CHANGE, resource)
    if not resource.file:
        raise Refused(_("Cette ressource est un lien."))
    old = resource.file.name
    before = {"sha256": resource.sha256}
    _set_file(resource, checked)
    resource.save()
    uploads.delete_after_commit([old])
    audit.record(
        actor=actor,
        verb="documents.replace_resource",
        target=resource,
        establishment_id=resource.establishment_id,
        before=before,
        after={"sha256": checked.sha256},
    )
    return resource


@transaction.atomic
def withdraw_resource(*, actor: Actor, resource: Resource) -> Resource:
    """Withdraw a resource: its students no longer see it; a reference to it reads « ressource retirée »."""
    authz.require(actor, Action.CHANGE, resource)
    resource.withdrawn_at = timezone.now()
    resource.save(update_fields=["withdrawn_at", "updated_at"])
    audit.record(
        actor=actor, verb="documents.withdraw_resource", target=resource, establishment_id=resource.establishment_id
    )
    return resource
