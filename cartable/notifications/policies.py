"""Who may see and change notifications and quiet hours.

A notification is its recipient's alone: nobody else sees it, not even the direction or the regional
administrator. A person's quiet hours are theirs; an establishment's are set by its direction and ENT
administrators (and the regional administrator).
"""

from __future__ import annotations

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import Notification, QuietHours
from cartable.directory.models import Role

SETTERS = frozenset({Role.DIRECTION, Role.ESTABLISHMENT_ADMIN})


def may_set_establishment_quiet_hours(actor, establishment_id: int | None) -> bool:
    if establishment_id is None or not actor.is_authenticated:
        return False
    return actor.is_regional_admin or bool(actor.roles_in(establishment_id) & SETTERS)


@authz.register(Notification)
class NotificationPolicy(authz.Policy):
    def allows(self, actor, action, obj) -> bool:
        mine = actor.user_id is not None and obj.recipient_id == actor.user_id
        return action in (Action.VIEW, Action.CHANGE) and mine

    def scope(self, actor, queryset):
        if actor.user_id is None:
            return queryset.none()
        return queryset.filter(recipient_id=actor.user_id)


@authz.register(QuietHours)
class QuietHoursPolicy(authz.Policy):
    def allows(self, actor, action, obj) -> bool:
        if action not in (Action.VIEW, Action.CHANGE) or actor.user_id is None:
            return False
        if obj.user_id is not None:
            return obj.user_id == actor.user_id
        return may_set_establishment_quiet_hours(actor, obj.establishment_id)

    def scope(self, actor, queryset):
        if actor.user_id is None:
            return queryset.none()
        return queryset.filter(user_id=actor.user_id)
