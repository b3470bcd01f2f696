"""Reads of the LTI platform: the tools an administrator registers, the activities a person launches, the
values a tool is configured with, and what the services answer (the roster, line items, the student a
``sub`` names), each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from cartable.directory.actor import Actor, current
from cartable.directory.models import Establishment, SchoolClass, TeachingAssignment, User
from cartable.lti import claims, protocol
from cartable.lti.models import LineItem, Link, LoginHint, ServiceToken, Tool
from cartable.lti.policies import managed_establishments


def tool_queryset() -> QuerySet[Tool]:
    return Tool.objects.select_related("establishment")


def managed_tools(actor: Actor) -> list[Tool]:
    """The tools the actor registers, with their establishment and deployments (two queries)."""
    return list(Tool.objects.visible_to(actor).select_related("establishment").prefetch_related("deployments"))


def registrable_establishments(actor: Actor) -> list[Establishment]:
    """Where the actor registers tools (the region's administrator: every establishment)."""
    if actor.is_regional_admin:
        return list(Establishment.objects.order_by("name"))
    return list(Establishment.objects.filter(pk__in=managed_establishments(actor)).order_by("name"))


def establishment(pk: int | None) -> Establishment | None:
    return Establishment.objects.filter(pk=pk).first() if pk else None


@dataclass(frozen=True)
class PlatformValues:
    """What a tool's administrator copies into the tool (Moodle's « Publish as LTI tool » and others)."""

    issuer: str
    client_id: str
    deployment_ids: list[str]
    authorization_url: str
    token_url: str
    jwks_url: str


def platform_values(tool: Tool) -> PlatformValues:
    return PlatformValues(
        issuer=protocol.issuer(),
        client_id=tool.client_id,
        deployment_ids=[d.deployment_id for d in tool.deployments.all()],
        authorization_url=protocol.absolute("lti:auth"),
        token_url=protocol.absolute("lti:token"),
        jwks_url=protocol.issuer() + reverse("oauth2_provider:jwks-info"),
    )


def links_for(actor: Actor) -> list[Link]:
    """The activities the actor launches or placed (one query)."""
    related = ("tool", "school_class", "group", "subject")
    return list(Link.objects.visible_to(actor).filter(tool__enabled=True).select_related(*related)[:100])


def placeable_tools(actor: Actor) -> list[Tool]:
    """The enabled tools open where the actor teaches (one query)."""
    from django.db.models import Q

    places = actor.establishments_where({"teacher"})
    if not places:
        return []
    return list(Tool.objects.filter(Q(establishment__isnull=True) | Q(establishment_id__in=places), enabled=True))


def taught_classes(actor: Actor) -> list[SchoolClass]:
    return list(SchoolClass.objects.filter(pk__in=actor.taught_class_ids).order_by("name"))


def launch_url(link: Link) -> str:
    """Where a page sends a person to open the activity (a POST: the launch is a write)."""
    return reverse("lti:launch", args=[link.pk])


def login_initiation(hint_value: str, hint: LoginHint) -> str:
    """The tool's login initiation URL with the third-party-initiated login's parameters."""
    tool = hint.tool
    if hint.message == LoginHint.Message.DEEP_LINKING:
        target = tool.deep_link_url or tool.launch_url
    else:
        assert hint.link is not None
        target = hint.link.url or tool.launch_url
    params = {
        "iss": protocol.issuer(),
        "login_hint": hint_value,
        "target_link_uri": target,
        "lti_message_hint": str(hint.pk),
        "client_id": tool.client_id,
        "lti_deployment_id": hint.deployment.deployment_id,
    }
    separator = "&" if "?" in tool.login_url else "?"
    return f"{tool.login_url}{separator}{urlencode(params)}"


def client(client_id: str) -> Tool | None:
    return Tool.objects.filter(client_id=client_id, enabled=True).first() if client_id else None


def bearer(authorization: str, scope: str) -> ServiceToken | None:
    """The live service token the header carries, if it holds ``scope`` (one query)."""
    kind, _space, value = authorization.partition(" ")
    if kind.lower() != "bearer" or not value:
        return None
    token = (
        ServiceToken.objects.select_related("tool")
        .filter(digest=protocol.digest(value.strip()), expires_at__gt=timezone.now(), tool__enabled=True)
        .first()
    )
    return token if token is not None and scope in token.scope_list else None


def service_link(token: ServiceToken, pk: int) -> Link | None:
    """A link of the token's tool (another tool's is the same « not found »)."""
    related = ("tool", "school_class", "group", "subject", "created_by")
    return Link.objects.select_related(*related).filter(pk=pk, tool=token.tool).first()


def service_line_item(token: ServiceToken, pk: int) -> LineItem | None:
    related = ("link__tool", "link__school_class", "link__group", "link__created_by")
    return LineItem.objects.select_related(*related).filter(pk=pk, link__tool=token.tool).first()


def line_items(link: Link) -> list[LineItem]:
    return list(LineItem.objects.filter(link=link).order_by("pk"))


def line_item_json(item: LineItem) -> dict[str, Any]:
    return {
        "id": protocol.absolute("lti:line_item", item.pk),
        "label": item.label,
        "scoreMaximum": float(item.score_maximum),
        "resourceId": item.resource_id,
        "tag": item.tag,
        "resourceLinkId": f"lien-{item.link_id}",
    }


def students(link: Link) -> list[User]:
    """The context's current students (one query)."""
    from cartable.grades.queries import audience_students

    return audience_students(school_class_id=link.school_class_id, group_id=link.group_id)


def student_by_sub(link: Link, sub: str) -> User | None:
    """The context's student whom the tool knows as ``sub``; anybody else: None."""
    return next((s for s in students(link) if protocol.subject(link.tool, s.pk) == sub), None)


def roster(link: Link) -> dict[str, Any]:
    """Names and Role Provisioning Services: the context's students and teachers (two queries), names only
    if the tool gets them."""
    tool = link.tool
    teachers_qs = current(
        TeachingAssignment.objects.filter(school_class_id=link.school_class_id)
        if link.school_class_id
        else TeachingAssignment.objects.filter(group_id=link.group_id)
    ).values("teacher_id")
    teachers = list(User.objects.filter(pk__in=teachers_qs).order_by("last_name", "first_name", "pk"))
    members = [
        {"status": "Active", **_member(tool, user), "roles": [claims.LIS + "membership#Learner"]}
        for user in students(link)
    ] + [
        {"status": "Active", **_member(tool, user), "roles": [claims.LIS + "membership#Instructor"]}
        for user in teachers
    ]
    return {
        "id": protocol.absolute("lti:memberships", link.pk),
        "context": {k: v for k, v in claims.context(link).items() if k != "type"},
        "members": members,
    }


def _member(tool: Tool, user: User) -> dict[str, Any]:
    person = claims.person(tool, user)
    person["user_id"] = person.pop("sub")
    return person
