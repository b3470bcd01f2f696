"""Writes of the LTI platform: registering tools, placing activities, launches (login hints, nonces), Deep
Linking answers, service tokens, line items and scores (marks written through ``grades.actions``).
Atomic, audited."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import models as django_models
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, erasure
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import ADMIN_ROLES, Establishment, Group, Role, SchoolClass, Subject, User
from cartable.lti import claims, protocol
from cartable.lti.models import Deployment, LineItem, Link, LoginHint, Nonce, Score, ServiceToken, Tool
from cartable.lti.protocol import Refused

TOOL_FIELDS = (
    "name",
    "login_url",
    "launch_url",
    "deep_link_url",
    "redirect_uris",
    "jwks_url",
    "public_key",
    "allow_deep_linking",
    "allow_ags",
    "allow_nrps",
    "send_names",
    "send_email",
    "enabled",
)
HINT_SECONDS = 300
TOKEN_SECONDS = 3600
NONCE_SECONDS = 3600
MARK_PLACES = Decimal("0.01")  # the gradebook keeps hundredths: a tool's score is scaled, rounded half up


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# --- tools -----------------------------------------------------------------------------------------------
@transaction.atomic
def register_tool(*, actor: Actor, establishment: Establishment | None, deployment_id: str = "", **fields: Any) -> Tool:
    """Register a tool for the region (``establishment`` None) or one establishment, with its client id
    (Cartable's, random) and, for an establishment, its deployment (``deployment_id`` or a random one)."""
    authz.require(actor, "lti.register_in", establishment)
    tool = Tool(establishment=establishment, client_id=secrets.token_hex(16), created_by_id=actor.user_id)
    _set_fields(tool, fields)
    tool.save()
    if establishment is not None:
        Deployment.objects.create(
            establishment=establishment, tool=tool, deployment_id=deployment_id.strip() or secrets.token_hex(8)
        )
    audit.record(
        actor=actor,
        verb="lti.tool.register",
        target=tool,
        establishment_id=tool.establishment_id,
        after=audit.snapshot(tool, TOOL_FIELDS),
    )
    return tool


def _set_fields(tool: Tool, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(TOOL_FIELDS)
    if unknown:
        raise TypeError(f"unknown tool fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(tool, name, value.strip() if isinstance(value, str) else value)
    tool.redirect_uris = _lines(tool.redirect_uris)


@transaction.atomic
def update_tool(*, actor: Actor, tool: Tool, **fields: Any) -> Tool:
    """Change a tool's registration (its client id and deployments stay)."""
    authz.require(actor, Action.CHANGE, tool)
    before = audit.snapshot(tool, TOOL_FIELDS)
    _set_fields(tool, fields)
    tool.save()
    audit.record(
        actor=actor,
        verb="lti.tool.change",
        target=tool,
        establishment_id=tool.establishment_id,
        before=before,
        after=audit.snapshot(tool, TOOL_FIELDS),
    )
    return tool


def _deployment(tool: Tool, establishment_id: int) -> Deployment:
    """The tool's deployment in the establishment; a region-wide tool gets one there at the first launch
    (its id: the establishment's UAI)."""
    found = Deployment.objects.filter(tool=tool, establishment_id=establishment_id).first()
    if found is not None:
        return found
    if tool.establishment_id is not None:
        raise PermissionDenied
    uai = Establishment.objects.values_list("uai", flat=True).get(pk=establishment_id)
    return Deployment.objects.create(tool=tool, establishment_id=establishment_id, deployment_id=uai)


# --- activities --------------------------------------------------------------------------------------------
def _check_audience(actor: Actor, tool: Tool, school_class: SchoolClass | None, group: Group | None) -> int:
    audience = school_class or group
    if audience is None or (school_class is not None and group is not None):
        raise ValueError("exactly one of school_class and group")
    authz.require(actor, "lti.place_with", tool)
    if tool.establishment_id not in (None, audience.establishment_id):
        raise PermissionDenied
    teaches = (school_class is not None and school_class.pk in actor.taught_class_ids) or (
        group is not None and group.pk in actor.taught_group_ids
    )
    if not teaches and not actor.holds_in(audience.establishment_id, ADMIN_ROLES):
        raise PermissionDenied
    return audience.establishment_id


@transaction.atomic
def place_link(
    *,
    actor: Actor,
    tool: Tool,
    title: str,
    school_class: SchoolClass | None = None,
    group: Group | None = None,
    subject: Subject | None = None,
    url: str = "",
    custom: dict[str, str] | None = None,
) -> Link:
    """Place an activity of the tool for a class or a group the actor teaches: what a learning path's step
    or a homework launches (``queries.launch_url(link)``)."""
    establishment_id = _check_audience(actor, tool, school_class, group)
    if actor.user_id is None:
        raise PermissionDenied
    link = Link.objects.create(
        establishment_id=establishment_id,
        tool=tool,
        title=title.strip()[:200] or tool.name,
        url=url.strip(),
        custom=custom or {},
        school_class=school_class,
        group=group,
        subject=subject,
        created_by_id=actor.user_id,
    )
    audit.record(
        actor=actor,
        verb="lti.link.place",
        target=link,
        establishment_id=establishment_id,
        after={"tool": tool.pk, "title": link.title, "url": link.url},
    )
    return link


# --- launches --------------------------------------------------------------------------------------------
def _role_for(actor: Actor, link: Link) -> str:
    if (link.school_class_id and link.school_class_id in actor.class_ids) or (
        link.group_id and link.group_id in actor.group_ids
    ):
        return Role.STUDENT
    if link.created_by_id == actor.user_id or link.school_class_id in actor.taught_class_ids:
        return Role.TEACHER
    if link.group_id and link.group_id in actor.taught_group_ids:
        return Role.TEACHER
    return Role.DIRECTION if actor.has_role(Role.DIRECTION, link.establishment_id) else Role.ESTABLISHMENT_ADMIN


def _hint(actor: Actor, tool: Tool, establishment_id: int, **fields: Any) -> tuple[str, LoginHint]:
    if not tool.enabled or actor.user_id is None:
        raise PermissionDenied
    value = secrets.token_urlsafe(32)
    hint = LoginHint.objects.create(
        digest=protocol.digest(value),
        user_id=actor.user_id,
        tool=tool,
        deployment=_deployment(tool, establishment_id),
        expires_at=timezone.now() + dt.timedelta(seconds=HINT_SECONDS),
        **fields,
    )
    return value, hint


@transaction.atomic
def begin_launch(*, actor: Actor, link: Link) -> tuple[str, LoginHint]:
    """A person opens an activity: a login hint for them, valid a few minutes, to send to the tool."""
    authz.require(actor, Action.VIEW, link)
    return _hint(
        actor,
        link.tool,
        link.establishment_id,
        message=LoginHint.Message.RESOURCE_LINK,
        link=link,
        school_class=link.school_class,
        group=link.group,
        subject=link.subject,
        role=_role_for(actor, link),
    )


@transaction.atomic
def begin_deep_linking(
    *,
    actor: Actor,
    tool: Tool,
    school_class: SchoolClass | None = None,
    group: Group | None = None,
    subject: Subject | None = None,
) -> tuple[str, LoginHint]:
    """A teacher asks the tool to pick activities for a class or a group (Deep Linking)."""
    establishment_id = _check_audience(actor, tool, school_class, group)
    if not tool.allow_deep_linking:
        raise PermissionDenied
    return _hint(
        actor,
        tool,
        establishment_id,
        message=LoginHint.Message.DEEP_LINKING,
        school_class=school_class,
        group=group,
        subject=subject,
        role=Role.TEACHER,
    )


def _remember_nonce(tool: Tool, value: str) -> None:
    """Keep a nonce (or a ``jti``); one already seen is refused, and nothing else of the request is kept."""
    if not value:
        raise Refused(_("La demande n'a pas de nonce."))
    now = timezone.now()
    Nonce.objects.filter(tool=tool, expires_at__lt=now).delete()
    if Nonce.objects.filter(tool=tool, value=protocol.digest(value)).exists():
        raise Refused(_("Cette demande a déjà servi : recommencez depuis Cartable."), "invalid_grant")
    Nonce.objects.create(tool=tool, value=protocol.digest(value), expires_at=now + dt.timedelta(seconds=NONCE_SECONDS))


@transaction.atomic
def authenticate(*, actor: Actor, tool: Tool, params: dict[str, str]) -> dict[str, str]:
    """The platform's answer to the tool's authentication request (OIDC, form post): the signed
    ``id_token`` and the tool's ``state``. The caller has checked the client and the ``redirect_uri``;
    here: the request's shape, the login hint (this person's, this tool's, unused, not expired), the
    message hint and the nonce (never twice)."""
    if params.get("scope") != "openid" or params.get("response_type") != "id_token":
        raise Refused(_("La demande de l'outil n'est pas une authentification LTI (scope, response_type)."))
    if params.get("response_mode") != "form_post" or params.get("prompt", "none") != "none":
        raise Refused(_("La demande de l'outil n'est pas une authentification LTI (response_mode, prompt)."))
    hint = (
        LoginHint.objects.select_for_update(of=("self",))  # the hint only: its joins are outer
        .select_related("tool", "deployment", "link", "school_class", "group", "subject")
        .filter(digest=protocol.digest(params.get("login_hint", "")), tool=tool)
        .first()
    )
    if hint is None or hint.user_id != actor.user_id:
        raise Refused(_("Ce lancement n'est pas le vôtre : ouvrez l'activité depuis Cartable."), "login_required")
    if hint.consumed_at is not None or hint.expires_at < timezone.now():
        raise Refused(_("Ce lancement a expiré ou a déjà servi : ouvrez de nouveau l'activité."), "login_required")
    if params.get("lti_message_hint", "") != str(hint.pk):
        raise Refused(_("La demande de l'outil ne correspond pas au lancement."))
    _remember_nonce(tool, params.get("nonce", ""))
    hint.consumed_at = timezone.now()
    hint.save(update_fields=["consumed_at"])
    token = protocol.sign(claims.id_token(hint=hint, user=User.objects.get(pk=actor.user_id), nonce=params["nonce"]))
    audit.record(
        actor=actor,
        verb="lti.launch",
        target=hint.link or tool,
        establishment_id=hint.deployment.establishment_id,
        after={"tool": tool.pk, "message": hint.message, "role": hint.role},
    )
    return {"id_token": token, "state": params.get("state", "")}


# --- Deep Linking ----------------------------------------------------------------------------------------
@transaction.atomic
def accept_deep_linking(*, jwt_value: str) -> tuple[LoginHint, list[Link]]:
    """The tool's Deep Linking answer (a JWT it signed, posted by the teacher's browser): each
    ``ltiResourceLink`` becomes an activity of the class or group the request was for, placed by the
    teacher who asked. The request's ``data`` names it; an answer comes back once."""
    unverified = _unverified_claims(jwt_value)
    try:
        hint_id = signing.loads(str(unverified.get(protocol.DL + "data", "")), salt=claims.DEEP_LINK_SALT)
    except signing.BadSignature as error:
        raise Refused(_("La réponse de l'outil ne correspond à aucune demande de Cartable.")) from error
    hint = (
        LoginHint.objects.select_for_update(of=("self",))
        .select_related("tool", "deployment", "school_class", "group", "subject", "user")
        .filter(pk=hint_id, message=LoginHint.Message.DEEP_LINKING, consumed_at__isnull=False)
        .first()
    )
    if hint is None or hint.returned_at is not None:
        raise Refused(_("Cette réponse de l'outil a déjà été reçue."))
    payload = protocol.verify(hint.tool, jwt_value, audience=protocol.issuer())
    if payload.get(protocol.LTI + "message_type") != "LtiDeepLinkingResponse":
        raise Refused(_("La réponse de l'outil n'est pas une réponse de sélection de contenu."))
    if payload.get(protocol.LTI + "deployment_id") != hint.deployment.deployment_id:
        raise Refused(_("La réponse de l'outil vient d'un autre déploiement."))
    _remember_nonce(hint.tool, str(payload.get("nonce", "")))
    hint.returned_at = timezone.now()
    hint.save(update_fields=["returned_at"])
    teacher = Actor(hint.user)
    links = [
        place_link(
            actor=teacher,
            tool=hint.tool,
            title=str(item.get("title") or hint.tool.name),
            school_class=hint.school_class,
            group=hint.group,
            subject=hint.subject,
            url=str(item.get("url") or ""),
            custom={str(k): str(v) for k, v in (item.get("custom") or {}).items()},
        )
        for item in payload.get(protocol.DL + "content_items") or []
        if isinstance(item, dict) and item.get("type") == "ltiResourceLink"
    ]
    return hint, links


def _unverified_claims(value: str) -> dict[str, Any]:
    """The claims of a JWT before its signature is checked: only to find which tool signed it."""
    import base64
    import json

    try:
        body = value.split(".")[1]
        claims_ = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError) as error:
        raise Refused(_("La réponse de l'outil n'est pas un jeton JWT.")) from error
    return claims_ if isinstance(claims_, dict) else {}


# --- services: the token, line items, scores -------------------------------------------------------------
ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@transaction.atomic
def issue_service_token(*, params: dict[str, str]) -> dict[str, Any]:
    """OAuth 2 client credentials with a signed JWT assertion (RFC 7523, as LTI requires): the tool's
    assertion checked (signature, ``iss`` = ``sub`` = client id, ``aud`` this endpoint, ``jti`` never twice),
    a bearer token for the scopes it may use."""
    if params.get("grant_type") != "client_credentials":
        raise Refused("grant_type must be client_credentials", "unsupported_grant_type")
    if params.get("client_assertion_type") != ASSERTION:
        raise Refused("client_assertion_type must be jwt-bearer", "invalid_client")
    assertion = params.get("client_assertion", "")
    unverified = _unverified_claims(assertion)
    tool = Tool.objects.filter(client_id=str(unverified.get("sub", "")), enabled=True).first()
    if tool is None:
        raise Refused("unknown client", "invalid_client")
    payload = protocol.verify(tool, assertion, audience=protocol.absolute("lti:token"))
    if payload.get("sub") != tool.client_id:
        raise Refused("sub must be the client id", "invalid_client")
    _remember_nonce(tool, str(payload.get("jti", "")))
    allowed = set()
    if tool.allow_ags:
        allowed |= set(protocol.AGS_SCOPES)
    if tool.allow_nrps:
        allowed.add(protocol.SCOPE_NRPS)
    scopes = [s for s in params.get("scope", "").split() if s in allowed]
    if not scopes:
        raise Refused("no scope this tool may use", "invalid_scope")
    value = secrets.token_urlsafe(32)
    ServiceToken.objects.create(
        digest=protocol.digest(value),
        tool=tool,
        scopes=" ".join(scopes),
        expires_at=timezone.now() + dt.timedelta(seconds=TOKEN_SECONDS),
    )
    return {"access_token": value, "token_type": "Bearer", "expires_in": TOKEN_SECONDS, "scope": " ".join(scopes)}


def _decimal(value: Any, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise Refused(f"{name} must be a number") from error
    if not number.is_finite() or number < 0:
        raise Refused(f"{name} must be a positive number")
    return number


def _teacher_actor(link: Link) -> tuple[Actor, int]:
    """The teacher who placed the link, as the gradebook's writer, and the subject they teach there."""
    if link.created_by is None:
        raise Refused("nobody teaches this link's class any more")
    actor = Actor(link.created_by)
    subject_id = link.subject_id or next(
        (
            t.subject_id
            for t in actor.teaching
            if (link.school_class_id and t.class_id == link.school_class_id)
            or (link.group_id and t.group_id == link.group_id)
        ),
        None,
    )
    if subject_id is None:
        raise Refused("the teacher who placed the link teaches no subject to its class any more")
    return actor, subject_id


@transaction.atomic
def create_line_item(*, link: Link, payload: dict[str, Any]) -> LineItem:
    """A tool's line item for a link's context: a new evaluation of the class or group in the gradebook
    (on 20, in the subject the teacher who placed the link teaches it, the current period)."""
    from cartable.grades import actions as grades_actions
    from cartable.grades import queries as grades_queries

    label = str(payload.get("label") or "").strip()[:200]
    if not label:
        raise Refused("label is required")
    maximum = _decimal(payload.get("scoreMaximum"), "scoreMaximum")
    if maximum == 0:
        raise Refused("scoreMaximum must be above zero")
    teacher, subject_id = _teacher_actor(link)
    period = grades_queries.periods_of_year(link.establishment_id)[1]
    if period is None:
        raise Refused("no current period: the gradebook is closed")
    evaluation = grades_actions.save_evaluation(
        actor=teacher,
        subject=Subject.objects.get(pk=subject_id),
        period=period,
        title=label,
        date=timezone.localdate(),
        school_class=link.school_class,
        group=link.group,
    )
    item = LineItem.objects.create(
        establishment_id=link.establishment_id,
        link=link,
        label=label,
        score_maximum=maximum,
        resource_id=str(payload.get("resourceId") or "")[:200],
        tag=str(payload.get("tag") or "")[:200],
        evaluation_id=evaluation.pk,
    )
    audit.record(
        actor=None,
        verb="lti.line_item.create",
        target=item,
        establishment_id=link.establishment_id,
        after={"tool": link.tool_id, "label": label, "evaluation": evaluation.pk},
    )
    return item


def _timestamp(value: Any) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError as error:
        raise Refused("timestamp must be an ISO 8601 date and time") from error
    if moment.tzinfo is None:
        raise Refused("timestamp must carry its offset")
    return moment


@transaction.atomic
def post_score(*, line_item: LineItem, student: User, payload: dict[str, Any]) -> Score:
    """A tool's score for a student of the context: kept with its ``timestamp`` (an older or equal one is
    refused), and once ``FullyGraded`` written as the mark, scaled exactly to the evaluation's scale and
    rounded half up to hundredths, through ``grades.actions``."""
    from cartable.grades import actions as grades_actions
    from cartable.grades.models import Evaluation

    moment = _timestamp(payload.get("timestamp"))
    given = None if payload.get("scoreGiven") is None else _decimal(payload.get("scoreGiven"), "scoreGiven")
    maximum = _decimal(payload.get("scoreMaximum", line_item.score_maximum), "scoreMaximum")
    if maximum == 0 or (given is not None and given > maximum):
        raise Refused("scoreGiven must lie between 0 and scoreMaximum")
    score = Score.objects.select_for_update().filter(line_item=line_item, student=student).first()
    if score is not None and score.timestamp >= moment:
        raise Refused("a score with a later timestamp is already recorded", "conflict")
    score = score or Score(establishment_id=line_item.establishment_id, line_item=line_item, student=student)
    score.score_given, score.score_maximum, score.timestamp = given, maximum, moment
    score.activity_progress = str(payload.get("activityProgress") or "")[:20]
    score.grading_progress = str(payload.get("gradingProgress") or "")[:20]
    score.save()
    if given is not None and score.grading_progress == "FullyGraded":
        teacher, _subject = _teacher_actor(line_item.link)
        evaluation = Evaluation.objects.get(pk=line_item.evaluation_id)
        value = (given * evaluation.scale / maximum).quantize(MARK_PLACES, ROUND_HALF_UP)
        grades_actions.save_marks(
            actor=teacher, evaluation=evaluation, entries={student.pk: grades_actions.MarkEntry(value=value)}
        )
    audit.record(
        actor=None,
        verb="lti.score",
        target=line_item,
        subject_id=student.pk,
        establishment_id=line_item.establishment_id,
        after={"tool": line_item.link.tool_id, "given": str(given), "maximum": str(maximum), "at": moment.isoformat()},
    )
    return score


# --- erasure ---------------------------------------------------------------------------------------------
ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Score: erasure.delete("student"),
    LoginHint: erasure.delete("user"),
    Link: erasure.unlink("created_by"),  # the class's activity stays, without who placed it
    Tool: erasure.unlink("created_by"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase what the LTI platform keeps of a person in ``model`` (see ``ERASURE``)."""
    return erasure.erase(app="lti", rules=ERASURE, user=user, model=model, actor=actor)


@transaction.atomic
def purge_expired() -> int:
    """Delete expired login hints, nonces and service tokens; return how many rows went."""
    now = timezone.now()
    hints = LoginHint.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()[0]
    nonces = Nonce.objects.filter(expires_at__lt=now).delete()[0]
    tokens = ServiceToken.objects.filter(expires_at__lt=now).delete()[0]
    return hints + nonces + tokens
