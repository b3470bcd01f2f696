"""Writes of the services, the CAS server and EduConnect: registering services, launches, tickets, SAML
requests and assertions, EduConnect sign-ins. Atomic, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models as django_models
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, DeviceGrant, Grant, IDToken, RefreshToken

from cartable.core import audit, authz, erasure
from cartable.core.authz import Action
from cartable.directory import actions as directory_actions
from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, ExternalIdentifier, User
from cartable.sso import matching
from cartable.sso.educonnect import Identity
from cartable.sso.models import Launch, SamlAssertion, SamlRequest, Service, SignedInService, Ticket
from cartable.sso.policies import audience_membership
from cartable.sso.saml import Assertion, Refused

FIELDS = ("name", "description", "icon", "kind", "url", "addresses", "roles", "profile", "allow_proxy", "enabled")
MAX_TICKET_SECONDS = 300  # the protocol's « at most five minutes », whatever the setting says


def cas_setting(name: str) -> object:
    defaults = {"ticket_seconds": 300, "pgt_seconds": 300, "ca_bundle": None, "timeout_seconds": 5}
    return getattr(settings, "CARTABLE_CAS", {}).get(name, defaults[name])


def _lifetime(name: str) -> dt.timedelta:
    return dt.timedelta(seconds=min(int(cas_setting(name)), MAX_TICKET_SECONDS))  # type: ignore[call-overload]


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_ticket_value(prefix: str) -> str:
    """``ST-`` followed by 64 hexadecimal digits: 256 random bits, only the characters CAS allows."""
    return f"{prefix}-{secrets.token_hex(32)}"


def _roles_value(roles: list[str]) -> str:
    return "," + ",".join(sorted(set(roles))) + "," if roles else ""


def _snapshot(service: Service) -> dict:
    values = audit.snapshot(service, FIELDS)
    values["roles"] = service.role_list
    return values


# --- Services ------------------------------------------------------------------------------------------


@transaction.atomic
def register_service(
    *,
    actor: Actor,
    establishment: Establishment | None,
    name: str,
    url: str,
    kind: str = Service.Kind.CAS,
    addresses: str = "",
    roles: list[str],
    profile: str = Service.Profile.UID,
    description: str = "",
    icon: str = Service.Icon.APP,
    allow_proxy: bool = False,
    enabled: bool = True,
) -> Service:
    """Register a service for the region (``establishment`` None, the regional administrator) or for one
    establishment (its direction or ENT administrators)."""
    authz.require(actor, "sso.register_in", establishment)
    service = Service(
        establishment=establishment,
        name=name.strip(),
        description=description.strip(),
        icon=icon,
        kind=kind,
        url=url.strip(),
        addresses="\n".join(line.strip() for line in addresses.splitlines() if line.strip()),
        roles=_roles_value(roles),
        profile=profile,
        allow_proxy=allow_proxy,
        enabled=enabled,
        created_by_id=actor.user_id,
    )
    service.save()
    _sync_oidc_client(service)
    audit.record(
        actor=actor,
        verb="sso.service.register",
        target=service,
        establishment_id=service.establishment_id,
        after=_snapshot(service),
    )
    return service


@transaction.atomic
def update_service(
    *,
    actor: Actor,
    service: Service,
    name: str,
    url: str,
    kind: str,
    addresses: str,
    roles: list[str],
    profile: str,
    description: str = "",
    icon: str = Service.Icon.APP,
    allow_proxy: bool = False,
    enabled: bool = True,
) -> Service:
    """Change a service (its establishment stays)."""
    authz.require(actor, Action.CHANGE, service)
    locked = Service.objects.select_for_update().get(pk=service.pk)
    before = _snapshot(locked)
    locked.name, locked.description, locked.icon, locked.kind = name.strip(), description.strip(), icon, kind
    locked.url = url.strip()
    locked.addresses = "\n".join(line.strip() for line in addresses.splitlines() if line.strip())
    locked.roles, locked.profile = _roles_value(roles), profile
    locked.allow_proxy, locked.enabled = allow_proxy, enabled
    locked.save()
    _sync_oidc_client(locked)
    audit.record(
        actor=actor,
        verb="sso.service.update",
        target=locked,
        establishment_id=locked.establishment_id,
        before=before,
        after=_snapshot(locked),
    )
    return locked


def _count_launch(*, service: Service, via: str, role: str, establishment_id: int | None) -> Launch:
    """One opening of the service, counted by role and establishment (never the person), on today's date."""
    return Launch.objects.create(
        service=service, via=via, role=role, establishment_id=establishment_id, day=timezone.localdate()
    )


@transaction.atomic
def record_launch(*, actor: Actor, service: Service, via: str = Launch.Via.TILE) -> Launch:
    """Count one opening of the service by its audience (role and establishment, never the person)."""
    authz.require(actor, "sso.launch", service)
    membership = audience_membership(actor, service)
    assert membership is not None  # the permission above says so
    launch = _count_launch(service=service, via=via, role=membership.role, establishment_id=membership.establishment_id)
    audit.record(actor=actor, verb=f"sso.launch.{via}", target=service, establishment_id=membership.establishment_id)
    return launch


# --- OpenID Connect ------------------------------------------------------------------------------------


def _sync_oidc_client(service: Service) -> None:
    """The service's OpenID Connect client (kind OIDC): a public client (PKCE S256, no secret), RS256 signed
    id_tokens, exactly the service's addresses as redirect URIs, and the consent screen every time."""
    if service.kind != Service.Kind.OIDC:
        return
    application = service.oidc_application or Application()
    application.name = service.name
    application.client_type = Application.CLIENT_PUBLIC
    application.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
    application.algorithm = Application.RS256_ALGORITHM
    application.redirect_uris = " ".join(service.address_list)
    application.post_logout_redirect_uris = ""
    application.skip_authorization = False
    application.save()
    if service.oidc_application_id != application.pk:
        service.oidc_application = application
        service.save(update_fields=["oidc_application"])


@transaction.atomic
def record_oidc_authorization(*, actor: Actor, service: Service, scopes: list[str]) -> Launch:
    """The actor consented and a code was issued to the service: consent and code audited, the launch
    counted (role and establishment). Only for the service's audience."""
    authz.require(actor, "sso.launch", service)
    membership = audience_membership(actor, service)
    assert membership is not None
    place = membership.establishment_id
    launch = _count_launch(service=service, via=Launch.Via.CODE, role=membership.role, establishment_id=place)
    audit.record(actor=actor, verb="sso.oidc.consent", target=service, establishment_id=place, after={"scopes": scopes})
    audit.record(actor=actor, verb="sso.oidc.code", target=service, establishment_id=place)
    return launch


# --- CAS tickets -----------------------------------------------------------------------------------------


@transaction.atomic
def issue_service_ticket(*, actor: Actor, service: Service, service_url: str, session_key: str, primary: bool) -> str:
    """A new service ticket for the actor at ``service_url`` (one of the service's addresses); the launch
    is counted and the sign-in audited. Only for the service's audience."""
    authz.require(actor, "sso.launch", service)
    if not matching.first_match(service.address_list, service_url):
        raise PermissionDenied
    membership = audience_membership(actor, service)
    assert membership is not None
    value = new_ticket_value("ST")
    Ticket.objects.create(
        kind=Ticket.Kind.SERVICE,
        digest=digest(value),
        user_id=actor.person_id,
        service=service,
        service_url=service_url,
        session_key=session_key,
        primary=primary,
        role=membership.role,
        establishment_id=membership.establishment_id,
        expires_at=timezone.now() + _lifetime("ticket_seconds"),
    )
    _count_launch(
        service=service, via=Launch.Via.TICKET, role=membership.role, establishment_id=membership.establishment_id
    )
    audit.record(
        actor=actor,
        verb="sso.cas.login",
        target=service,
        establishment_id=membership.establishment_id,
        after={"primary": primary},
    )
    return value


@transaction.atomic
def consume_ticket(*, value: str, kinds: frozenset[str]) -> Ticket | None:
    """Burn a service or proxy ticket by one conditional UPDATE, and return it (None: unknown or used).

    Whatever the validation then decides, the ticket has been tried once and never opens anything again.
    The kind is checked afterwards, so that a proxy ticket presented where only service tickets are
    accepted is burnt too.
    """
    if not value.startswith(("ST-", "PT-")) or len(value) > 256:
        return None
    key = digest(value)
    now = timezone.now()
    burnt = Ticket.objects.filter(
        digest=key, kind__in=(Ticket.Kind.SERVICE, Ticket.Kind.PROXY), consumed_at__isnull=True
    ).update(consumed_at=now)
    if not burnt:
        return None
    ticket = Ticket.objects.select_related("user", "service").get(digest=key)
    if ticket.kind not in kinds or ticket.expires_at <= now or not ticket.user.is_active:
        return None
    return ticket


@transaction.atomic
def remember_signed_in(*, ticket: Ticket, value: str) -> SignedInService | None:
    """Keep the consumed service ticket as the session index the service knows its session by, so that
    signing out of Cartable signs out of the service too (single logout)."""
    if ticket.kind != Ticket.Kind.SERVICE or not ticket.session_key:
        return None
    return SignedInService.objects.create(
        user=ticket.user,
        service=ticket.service,
        service_url=ticket.service_url,
        session_key=ticket.session_key,
        session_index=value,
    )


@transaction.atomic
def grant_proxy_granting_ticket(*, ticket: Ticket, value: str, callback_url: str) -> Ticket:
    """Store the proxy-granting ticket the service's callback received (it issues proxy tickets until it
    expires, or its session ends)."""
    return Ticket.objects.create(
        kind=Ticket.Kind.PROXY_GRANTING,
        digest=digest(value),
        user=ticket.user,
        service=ticket.service,
        service_url=callback_url,
        session_key=ticket.session_key,
        proxies=[callback_url, *ticket.proxies],
        role=ticket.role,
        establishment_id=ticket.establishment_id,
        expires_at=timezone.now() + _lifetime("pgt_seconds"),
    )


@transaction.atomic
def issue_proxy_ticket(*, pgt: Ticket, target: Service, target_url: str) -> str:
    """A proxy ticket for ``target_url`` on behalf of the PGT's person (single use, five minutes)."""
    value = new_ticket_value("PT")
    Ticket.objects.create(
        kind=Ticket.Kind.PROXY,
        digest=digest(value),
        user=pgt.user,
        service=target,
        service_url=target_url,
        session_key=pgt.session_key,
        proxies=pgt.proxies,
        role=pgt.role,
        establishment_id=pgt.establishment_id,
        expires_at=timezone.now() + _lifetime("ticket_seconds"),
    )
    _count_launch(service=target, via=Launch.Via.TICKET, role=pgt.role, establishment_id=pgt.establishment_id)
    audit.record(
        actor=None,
        verb="sso.cas.proxy",
        target=target,
        subject_id=pgt.user_id,
        establishment_id=pgt.establishment_id,
        after={"proxies": pgt.proxies},
    )
    return value


@transaction.atomic
def end_cas_session(*, session_key: str) -> list[tuple[str, str, str]]:
    """Forget the session's tickets and signed-in services; returns (service URL, user, session index) of
    each service to tell (single logout)."""
    if not session_key:
        return []
    rows = list(SignedInService.objects.filter(session_key=session_key).select_related("user"))
    SignedInService.objects.filter(session_key=session_key).delete()
    Ticket.objects.filter(session_key=session_key).delete()
    return [(row.service_url, row.user.username.lower(), row.session_index) for row in rows]


@transaction.atomic
def end_all_cas_sessions(*, user: User) -> int:
    """Forget every ticket and signed-in service of a person (their account is disabled)."""
    deleted, _ = Ticket.objects.filter(user=user).delete()
    signed, _ = SignedInService.objects.filter(user=user).delete()
    return deleted + signed


@transaction.atomic
def purge_expired_tickets() -> int:
    """Delete tickets past their expiry, and signed-in services older than any session can live."""
    now = timezone.now()
    deleted, _ = Ticket.objects.filter(expires_at__lt=now).delete()
    too_old = now - dt.timedelta(seconds=settings.CARTABLE_SESSION_ABSOLUTE_SECONDS)
    signed, _ = SignedInService.objects.filter(created_at__lt=too_old).delete()
    codes, _ = Grant.objects.filter(expires__lt=now).delete()  # OpenID Connect codes (tokens: clear_expired)
    requests, _ = SamlRequest.objects.filter(expires_at__lt=now).delete()
    assertions, _ = SamlAssertion.objects.filter(expires_at__lt=now).delete()
    return deleted + signed + codes + requests + assertions


# --- EduConnect (SAML) -------------------------------------------------------------------------------

SAML_REQUEST_SECONDS = 600  # time to sign in at EduConnect and come back
SAML_ASSERTION_MIN_SECONDS = 600  # an assertion id is kept at least this long, whatever its NotOnOrAfter


@transaction.atomic
def start_educonnect_sign_in(*, request_id: str, browser: str, next_url: str) -> SamlRequest:
    """Remember an AuthnRequest sent to EduConnect: its answer is accepted once, in this browser only
    (``browser``: the random value of its cookie, stored hashed), for ten minutes."""
    return SamlRequest.objects.create(
        request_id=request_id,
        browser=digest(browser),
        next_url=next_url,
        expires_at=timezone.now() + dt.timedelta(seconds=SAML_REQUEST_SECONDS),
    )


@transaction.atomic
def accept_educonnect_assertion(*, assertion: Assertion, browser: str) -> str:
    """Answer the request by one conditional UPDATE and keep the assertion's id until it expires; returns
    where the person was going. A second answer to the same request, or an assertion seen before, raises
    :class:`Refused` (a replay)."""
    now = timezone.now()
    request = SamlRequest.objects.filter(
        request_id=assertion.in_response_to, browser=digest(browser), consumed_at__isnull=True, expires_at__gt=now
    )
    next_url = request.values_list("next_url", flat=True).first()
    if next_url is None or not request.update(consumed_at=now):
        raise Refused("request already answered or unknown")
    expires = max(
        dt.datetime.fromtimestamp(assertion.not_on_or_after, tz=dt.UTC),
        now + dt.timedelta(seconds=SAML_ASSERTION_MIN_SECONDS),
    )
    _, created = SamlAssertion.objects.get_or_create(
        digest=digest(assertion.assertion_id), defaults={"expires_at": expires}
    )
    if not created:
        raise Refused("assertion replayed")
    return next_url


@transaction.atomic
def record_educonnect_sign_in(*, person: User, identity: Identity, linked: bool, ip_address: str | None) -> User:
    """An EduConnect identity matched to ``person`` signs in: its EduConnect id is linked to the account the
    first time (``ExternalIdentifier`` source EDUCONNECT), and the sign-in audited. The session itself is
    opened by the second factor's ``sign_in``, as for a password."""
    actor = Actor(person, ip_address=ip_address)
    if not linked:
        directory_actions.link_external_identifier(
            actor=actor, person=person, source=ExternalIdentifier.Source.EDUCONNECT, value=identity.educonnect_id
        )
    audit.record(
        actor=actor,
        verb="sso.educonnect.login",
        target=person,
        subject_id=person.pk,
        after={"profile": identity.profile, "first_time": not linked},
    )
    return person


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Ticket: erasure.delete("user"),
    SignedInService: erasure.delete("user"),
    Service: erasure.unlink("created_by"),  # the service stays, without who registered it
    # The OpenID Connect provider's (django-oauth-toolkit) codes and tokens go; a client stays, unowned.
    Grant: erasure.delete("user"),
    AccessToken: erasure.delete("user"),
    RefreshToken: erasure.delete("user"),
    IDToken: erasure.delete("user"),
    DeviceGrant: erasure.delete("user"),  # the device flow is not offered; the table exists
    Application: erasure.unlink("user"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="sso", rules=ERASURE, user=user, model=model, actor=actor)
