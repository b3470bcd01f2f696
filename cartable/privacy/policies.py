"""Who may see a person's reads, sessions and archives.

* « Qui a consulté » a person's data (``privacy.view_reads``): the person themself, or a guardian legally
  responsible for them;
* an archive of a person's data (``privacy.export_data``): the same;
* one archive (``DataExport``): only the person who asked for it, until it expires.

A guardian without legal responsibility (a contact named by the family) follows the child's days but not
what the law keeps for legal guardians, as for grades and absences (see ``directory.actor.Child``). Another
family's child is not even found: ``authz.access`` on the person answers the same 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import User
from cartable.privacy.models import DataExport


def _self_or_legal_child(actor: Actor, person: User) -> bool:
    if actor.user_id is None:
        return False
    return person.pk == actor.user_id or person.pk in actor.legal_children_ids


@authz.permission("privacy.view_reads", about=User)
def views_reads(actor: Actor, person: User) -> bool:
    """The person, or a guardian legally responsible for them, sees which staff read their data."""
    return _self_or_legal_child(actor, person)


@authz.permission("privacy.export_data", about=User)
def exports_data(actor: Actor, person: User) -> bool:
    """The person, or a guardian legally responsible for them, downloads all their data."""
    return _self_or_legal_child(actor, person)


@authz.register(DataExport)
class DataExportPolicy(authz.Policy[DataExport]):
    """An archive is its requester's only, and only until it expires (others and later: the same 404)."""

    def allows(self, actor: Actor, action: Action | str, obj: DataExport) -> bool:
        return (
            action == Action.VIEW
            and actor.user_id is not None
            and obj.requested_by_id == actor.user_id
            and obj.expires_at > timezone.now()
        )

    def scope(self, actor: Actor, queryset: QuerySet[DataExport]) -> QuerySet[DataExport]:
        if actor.user_id is None:
            return queryset.none()
        return queryset.filter(requested_by_id=actor.user_id, expires_at__gt=timezone.now())
