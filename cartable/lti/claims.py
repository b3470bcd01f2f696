"""The claims of Cartable's LTI messages: roles in LIS words, the context, the resource link, the services."""

from __future__ import annotations

from typing import Any

from django.core import signing

from cartable.directory.models import Role, User
from cartable.lti import protocol
from cartable.lti.models import Link, LoginHint, Tool

DEEP_LINK_SALT = "cartable.lti.deep_link"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
# Our roles in LIS words: the context role (membership#) first, then the institution role.
ROLES = {
    Role.STUDENT: [LIS + "membership#Learner", LIS + "institution/person#Student"],
    Role.TEACHER: [LIS + "membership#Instructor", LIS + "institution/person#Faculty"],
    Role.EDUCATION: [LIS + "institution/person#Staff"],
    Role.ADMINISTRATIVE: [LIS + "institution/person#Staff"],
    Role.DIRECTION: [LIS + "membership#Administrator", LIS + "institution/person#Administrator"],
    Role.ESTABLISHMENT_ADMIN: [LIS + "membership#Administrator", LIS + "institution/person#Administrator"],
    Role.REGIONAL_ADMIN: [LIS + "system/person#Administrator"],
    Role.GUARDIAN: [LIS + "membership#Mentor"],
}


def lis_roles(role: str) -> list[str]:
    return ROLES.get(role, [])  # type: ignore[call-overload]


def context(link_or_hint: Link | LoginHint) -> dict[str, Any]:
    """The class or group (and subject) as the LTI context: ``id`` stable, ``label`` short, ``title`` long."""
    audience = link_or_hint.school_class or link_or_hint.group
    kind = "classe" if link_or_hint.school_class_id else "groupe"
    subject = link_or_hint.subject
    title = f"{audience} — {subject.name}" if subject else str(audience)
    return {
        "id": f"{kind}-{audience.pk if audience else 0}" + (f"-{subject.pk}" if subject else ""),
        "label": str(audience),
        "title": title,
        "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"],
    }


def person(tool: Tool, user: User) -> dict[str, Any]:
    """The person's claims: the tool's pseudonymous ``sub``, and names or e-mail only if the tool gets them."""
    claims: dict[str, Any] = {"sub": protocol.subject(tool, user.pk)}
    if tool.send_names:
        claims |= {"name": user.get_full_name(), "given_name": user.first_name, "family_name": user.last_name}
    if tool.send_email and user.email:
        claims["email"] = user.email
    return claims


def id_token(*, hint: LoginHint, user: User, nonce: str) -> dict[str, Any]:
    """The ``id_token`` of a launch (a resource link) or of a Deep Linking request."""
    tool, now = hint.tool, protocol.now()
    claims: dict[str, Any] = {
        "iss": protocol.issuer(),
        "aud": tool.client_id,
        "azp": tool.client_id,
        "iat": now,
        "exp": now + protocol.ID_TOKEN_SECONDS,
        "nonce": nonce,
        **person(tool, user),
        protocol.LTI + "message_type": hint.message,
        protocol.LTI + "version": "1.3.0",
        protocol.LTI + "deployment_id": hint.deployment.deployment_id,
        protocol.LTI + "roles": lis_roles(hint.role),
        protocol.LTI + "context": context(hint.link or hint),
        protocol.LTI + "tool_platform": {
            "guid": protocol.issuer(),
            "name": "Cartable",
            "product_family_code": "cartable",
        },
        protocol.LTI + "launch_presentation": {"document_target": "window", "locale": "fr-FR"},
    }
    if hint.message == LoginHint.Message.DEEP_LINKING:
        claims[protocol.LTI + "target_link_uri"] = tool.deep_link_url or tool.launch_url
        claims[protocol.DL + "deep_linking_settings"] = {
            "deep_link_return_url": protocol.absolute("lti:deep_link_return"),
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["window", "iframe"],
            "accept_multiple": True,
            "auto_create": False,
            "title": str(hint.school_class or hint.group),
            "data": signing.dumps(hint.pk, salt=DEEP_LINK_SALT),
        }
        return claims
    link = hint.link
    assert link is not None  # a resource link launch names its link
    claims[protocol.LTI + "target_link_uri"] = link.url or tool.launch_url
    claims[protocol.LTI + "resource_link"] = {"id": f"lien-{link.pk}", "title": link.title}
    claims[protocol.LTI + "custom"] = {str(k): str(v) for k, v in (link.custom or {}).items()}
    if tool.allow_ags:
        claims[protocol.AGS_CLAIM] = {
            "scope": list(protocol.AGS_SCOPES),
            "lineitems": protocol.absolute("lti:line_items", link.pk),
        }
    if tool.allow_nrps:
        claims[protocol.NRPS_CLAIM] = {
            "context_memberships_url": protocol.absolute("lti:memberships", link.pk),
            "service_versions": ["2.0"],
        }
    return claims
