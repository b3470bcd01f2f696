"""Who may see a person's reads, sessions and archives.

* « Qui a consulté » a person's data (``privacy.view_reads``): the person themself, or a guardian legally
  responsible for them;
* an archive of a person's data (``privacy.export_data``): the same;
* one archive (``DataExport``): only the person who asked for it, until it expires;
* a request to the DPO (``PrivacyRequest``): made for oneself or a legal child (``privacy.submit_request``);
  seen by its requester; seen and answered by the establishment's head and the region (the queue,
  ``privacy.handle_requests``). A head sees only their establishment's requests;
* an establishment's audit log (``privacy.view_audit``): its ENT administrator and the region.

A guardian without legal responsibility (a contact named by the family) follows the child's days but not
what the law keeps for legal guardians, as for grades and absences (see ``directory.actor.Child``). Another
family's child is not even found: ``authz.access`` on the person answers the same 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, Role, User
from cartable.privacy.models import DataExport, PrivacyRequest


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


# --- requests to the DPO ----------------------------------------------------------------------------------
def handles_requests_of(actor: Actor, establishment_id: int | None) -> bool:
    """The establishment's head (the controller) and the region (its DPO) handle its requests."""
    return actor.user_id is not None and (actor.is_regional_admin or actor.directs(establishment_id))


@authz.permission("privacy.submit_request", about=User)
def submits_request(actor: Actor, person: User) -> bool:
    """A request is made for oneself, or for a child one is legally responsible for."""
    return _self_or_legal_child(actor, person)


@authz.permission("privacy.handle_requests", about=None)
def handles_requests(actor: Actor, _obj: None) -> bool:
    """Heads of an establishment and the region see the queue of requests."""
    return actor.user_id is not None and (actor.is_regional_admin or bool(actor.direction_ids))


@authz.register(PrivacyRequest)
class PrivacyRequestPolicy(authz.Policy[PrivacyRequest]):
    """The requester sees their requests; the establishment's head and the region see and answer them (a
    head sees only their establishment's)."""

    def allows(self, actor: Actor, action: Action | str, obj: PrivacyRequest) -> bool:
        if actor.user_id is None:
            return False
        handler = handles_requests_of(actor, obj.establishment_id)
        if action == Action.VIEW:
            return handler or obj.requester_id == actor.user_id
        return action == Action.CHANGE and handler

    def scope(self, actor: Actor, queryset: QuerySet[PrivacyRequest]) -> QuerySet[PrivacyRequest]:
        if actor.user_id is None:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(Q(requester_id=actor.user_id) | Q(establishment_id__in=list(actor.direction_ids)))


# --- the audit log ---------------------------------------------------------------------------------------
@authz.permission("privacy.view_audit", about=Establishment)
def views_audit(actor: Actor, establishment: Establishment) -> bool:
    """The establishment's ENT administrator, and the region (its DPO), browse and export its audit log."""
    if actor.user_id is None:
        return False
    return actor.is_regional_admin or actor.holds_in(establishment.pk, (Role.ESTABLISHMENT_ADMIN,))


# --- erasure and limitation ------------------------------------------------------------------------------
@authz.permission("privacy.erase_person", about=User)
def erases_person(actor: Actor, person: User) -> bool:
    """The region (its DPO) erases a person outright; a head does so by granting an erasure request."""
    return actor.user_id is not None and actor.is_regional_admin and person.pk != actor.user_id


@authz.permission("privacy.view_retention", about=None)
def views_retention(actor: Actor, _obj: None) -> bool:
    """The region (its DPO) reads the retention rules' dry run."""
    return actor.user_id is not None and actor.is_regional_admin
