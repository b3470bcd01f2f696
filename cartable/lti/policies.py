"""Who registers LTI tools, who places their activities and who launches them.

| what | seen by | changed by |
|---|---|---|
| a region-wide tool (no establishment) | the regional administrator | the regional administrator |
| an establishment's tool | its direction and ENT administrators; the region | the same |
| an activity of a class or group | its students and teachers, the admins | who placed it, the admins |

A tool's activities are placed by teachers of the establishments the tool is open to (the region's: every
establishment; an establishment's: its own). The protocol's own rows (hints, nonces, tokens, line items,
scores) are read by no page: only the services' endpoints, authenticated by the tool's signed tokens, reach them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import ADMIN_ROLES, Establishment, Role
from cartable.lti.models import Link, Tool


def managed_establishments(actor: Actor) -> frozenset[int]:
    """Where the actor registers tools: where they direct or administer the ENT."""
    return actor.establishments_where(ADMIN_ROLES)


@authz.permission("lti.register_somewhere", about=None)
def registers_somewhere(actor: Actor, _obj: None = None) -> bool:
    """Whether the tools' registration page opens: the region, an establishment's admins."""
    return actor.is_authenticated and (actor.is_regional_admin or bool(managed_establishments(actor)))


@authz.permission("lti.register_in", about=Establishment)
def registers_in(actor: Actor, establishment: Establishment | None) -> bool:
    """Region-wide tools (no establishment) for the region; an establishment's for its admins too."""
    if not actor.is_authenticated:
        return False
    if establishment is None:
        return actor.is_regional_admin
    return actor.is_regional_admin or actor.holds_in(establishment.pk, ADMIN_ROLES)


def manages_tool(actor: Actor, tool: Tool) -> bool:
    if not actor.is_authenticated:
        return False
    if actor.is_regional_admin:
        return True
    return tool.establishment_id is not None and actor.holds_in(tool.establishment_id, ADMIN_ROLES)


@authz.permission("lti.place_with", about=Tool)
def places_with(actor: Actor, tool: Tool | None) -> bool:
    """Whether the actor places activities of the tool: they teach where the tool is open, and it is on."""
    if not actor.is_authenticated or tool is None or not tool.enabled:
        return False
    teaching_in = actor.establishments_where({Role.TEACHER})
    return bool(teaching_in) if tool.establishment_id is None else tool.establishment_id in teaching_in


@authz.register(Tool)
class ToolPolicy(authz.Policy[Tool]):
    """Tools: seen and changed by those who register them (see the module docstring)."""

    def allows(self, actor: Actor, action: Action | str, obj: Tool) -> bool:
        if action in (Action.VIEW, Action.CREATE, Action.CHANGE, Action.DELETE, Action.MANAGE):
            return manages_tool(actor, obj)
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Tool]) -> QuerySet[Tool]:
        if not actor.is_authenticated:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=managed_establishments(actor))


def _teaches_audience(actor: Actor, link: Link) -> bool:
    return (link.school_class_id is not None and link.school_class_id in actor.taught_class_ids) or (
        link.group_id is not None and link.group_id in actor.taught_group_ids
    )


def _attends(actor: Actor, link: Link) -> bool:
    return (link.school_class_id is not None and link.school_class_id in actor.class_ids) or (
        link.group_id is not None and link.group_id in actor.group_ids
    )


@authz.register(Link)
class LinkPolicy(authz.Policy[Link]):
    """Activities: launched by the audience's students and teachers; changed by who placed them and admins."""

    def allows(self, actor: Actor, action: Action | str, obj: Link) -> bool:
        if not actor.is_authenticated:
            return False
        admin = actor.holds_in(obj.establishment_id, ADMIN_ROLES)
        if action == Action.VIEW:
            return admin or obj.created_by_id == actor.user_id or _teaches_audience(actor, obj) or _attends(actor, obj)
        if action in (Action.CHANGE, Action.DELETE):
            return admin or obj.created_by_id == actor.user_id
        return False

    def scope(self, actor: Actor, queryset: QuerySet[Link]) -> QuerySet[Link]:
        if not actor.is_authenticated:
            return queryset.none()
        reach = (
            Q(establishment_id__in=actor.establishments_where(ADMIN_ROLES))
            | Q(created_by_id=actor.user_id)
            | Q(school_class_id__in=actor.taught_class_ids | actor.class_ids)
            | Q(group_id__in=actor.taught_group_ids | actor.group_ids)
        )
        return queryset.filter(reach)
