"""Who may see and change notifications and quiet hours.

A notification is its recipient's alone: nobody else sees it, not even the direction or the regional
administrator. A person's quiet hours are theirs; an establishment's are set by its direction and ENT
administrators (and the regional administrator).
"""

from __future__ import annotations

from django.db.models import QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import Notification, QuietHours
from cartable.directory.actor import Actor
from cartable.directory.models import ADMIN_ROLES, Establishment


def may_set_establishment_quiet_hours(actor: Actor, establishment_id: int | None) -> bool:
    """The direction and the ENT administrators of the establishment, and the region."""
    if establishment_id is None or not actor.is_authenticated:
        return False
    return actor.is_regional_admin or actor.holds_in(establishment_id, ADMIN_ROLES)


@authz.permission("notifications.set_establishment_quiet_hours", about=Establishment)
def can_set_establishment_quiet_hours(actor: Actor, establishment: Establishment | None) -> bool:
    return may_set_establishment_quiet_hours(actor, establishment.pk if establishment is not None else None)


@authz.register(Notification)
class NotificationPolicy(authz.Policy[Notification]):
    def allows(self, actor: Actor, action: Action | str, obj: Notification) -> bool:
        mine = actor.user_id is not None and obj.recipient_id == actor.user_id
        return action in (Action.VIEW, Action.CHANGE) and mine

    def scope(self, actor: Actor, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
        if actor.user_id is None:
            return queryset.none()
        return queryset.filter(recipient_id=actor.user_id)


@authz.register(QuietHours)
class QuietHoursPolicy(authz.Policy[QuietHours]):
    def allows(self, actor: Actor, action: Action | str, obj: QuietHours) -> bool:
        if action not in (Action.VIEW, Action.CHANGE) or actor.user_id is None:
            return False
        if obj.user_id is not None:
            return obj.user_id == actor.user_id
        return may_set_establishment_quiet_hours(actor, obj.establishment_id)

    def scope(self, actor: Actor, queryset: QuerySet[QuietHours]) -> QuerySet[QuietHours]:
        """One's own quiet hours, and an establishment's for those who set them (as ``allows`` says)."""
        if actor.user_id is None:
            return queryset.none()
        establishments = queryset.filter(user_id__isnull=True)
        if not actor.is_regional_admin:
            establishments = establishments.filter(establishment_id__in=sorted(actor.establishments_where(ADMIN_ROLES)))
        return queryset.filter(user_id=actor.user_id) | establishments
