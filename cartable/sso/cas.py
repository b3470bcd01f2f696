"""The CAS 3.0 protocol around the actions: validating tickets, the proxy callback, responses in XML and
JSON, and the single-logout message. Spoken as https://apereo.github.io/cas/7.0.x/protocol/CAS-Specification.html
says; the XML is built with ElementTree (nothing is ever parsed here).
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.sso import actions, matching, queries
from cartable.sso.models import Service, Ticket

CAS_NS = "http://www.yale.edu/tp/cas"
ET.register_namespace("cas", CAS_NS)
ET.register_namespace("samlp", "urn:oasis:names:tc:SAML:2.0:protocol")
ET.register_namespace("saml", "urn:oasis:names:tc:SAML:2.0:assertion")

INVALID_REQUEST = "INVALID_REQUEST"
INVALID_TICKET = "INVALID_TICKET"
INVALID_SERVICE = "INVALID_SERVICE"
INVALID_PROXY_CALLBACK = "INVALID_PROXY_CALLBACK"
UNAUTHORIZED_SERVICE = "UNAUTHORIZED_SERVICE"
SERVICE_KINDS = frozenset({Ticket.Kind.SERVICE})
PROXY_KINDS = frozenset({Ticket.Kind.SERVICE, Ticket.Kind.PROXY})


@dataclass
class Outcome:
    """What a validation answers: a person (success), or a failure's code and description."""

    user: str = ""
    code: str = ""
    description: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)
    pgt_iou: str = ""
    proxies: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.code


def _fail(code: str, description: str) -> Outcome:
    return Outcome(code=code, description=description)


def validate(
    *, ticket: str, service: str, kinds: frozenset[str], renew: bool = False, pgt_url: str = "", attributes: bool
) -> Outcome:
    """Validate a ticket presented by ``service``; the ticket is burnt at this first attempt, whatever follows."""
    if not ticket or not service:
        return _fail(INVALID_REQUEST, _("Les paramètres « ticket » et « service » sont obligatoires."))
    found = actions.consume_ticket(value=ticket, kinds=kinds)
    if found is None:
        return _fail(INVALID_TICKET, _("Ticket %(ticket)s inconnu, déjà utilisé ou expiré.") % {"ticket": ticket[:80]})
    if not matching.same_service(found.service_url, service):
        return _fail(INVALID_SERVICE, _("Le ticket n'a pas été délivré pour ce service."))
    if renew and not found.primary:
        return _fail(INVALID_TICKET, _("Le ticket ne vient pas d'une saisie du mot de passe (renew)."))
    iou = ""
    if pgt_url:
        if not _callback_allowed(found.service, pgt_url):
            return _fail(INVALID_PROXY_CALLBACK, _("L'adresse de rappel du proxy doit être en HTTPS et déclarée."))
        iou = _proxy_callback(found, pgt_url)
    actions.remember_signed_in(ticket=found, value=ticket)
    return Outcome(
        user=found.user.username.lower(),
        attributes=_attributes(found) if attributes else {},
        pgt_iou=iou,
        proxies=list(found.proxies),
    )


def _attributes(ticket: Ticket) -> dict[str, list[str]]:
    released = {
        "authenticationDate": [timezone.localtime(ticket.created_at).isoformat()],
        "isFromNewLogin": ["true" if ticket.primary else "false"],
        "longTermAuthenticationRequestTokenUsed": ["false"],
    }
    return released | queries.cas_attributes(ticket.user, ticket.service)


def _callback_allowed(service: Service, pgt_url: str) -> bool:
    return (
        service.allow_proxy
        and urlsplit(pgt_url).scheme == "https"
        and matching.first_match(service.address_list, pgt_url) is not None
    )


def _tls_context() -> ssl.SSLContext:
    bundle = actions.cas_setting("ca_bundle")
    return ssl.create_default_context(cafile=str(bundle) if bundle else None)


def _proxy_callback(ticket: Ticket, pgt_url: str) -> str:
    """Hand a new PGT to the service's HTTPS callback (certificate checked); its IOU if the callback took
    it (HTTP 200), else "" and no PGT (the validation still succeeds, as the protocol says)."""
    pgt, iou = actions.new_ticket_value("PGT"), actions.new_ticket_value("PGTIOU")
    separator = "&" if "?" in pgt_url else "?"
    url = f"{pgt_url}{separator}{urlencode({'pgtId': pgt, 'pgtIou': iou})}"
    try:
        with _no_redirect().open(url, timeout=float(actions.cas_setting("timeout_seconds"))) as answer:  # type: ignore[arg-type]
            if answer.status != 200:
                return ""
    except (urllib.error.URLError, OSError, ValueError):
        return ""
    actions.grant_proxy_granting_ticket(ticket=ticket, value=pgt, callback_url=pgt_url)
    return iou


class _Refuse(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is not a 200: no PGT


def _no_redirect() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPSHandler(context=_tls_context()), _Refuse)


def proxy(*, pgt: str, target_service: str) -> tuple[str, str, str]:
    """(proxy ticket, failure code, description) for ``/cas/proxy``."""
    if not pgt or not target_service:
        return "", INVALID_REQUEST, _("Les paramètres « pgt » et « targetService » sont obligatoires.")
    granting = queries.proxy_granting_ticket(actions.digest(pgt)) if pgt.startswith("PGT-") else None
    if granting is None or not granting.user.is_active:
        return "", INVALID_TICKET, _("Ticket d'octroi %(ticket)s inconnu ou expiré.") % {"ticket": pgt[:80]}
    target = queries.cas_service_for(target_service)
    if target is None:
        return "", INVALID_SERVICE, _("Ce service n'est pas enregistré.")
    if not target.allow_proxy:
        return "", UNAUTHORIZED_SERVICE, _("Ce service n'accepte pas les tickets de proxy.")
    return actions.issue_proxy_ticket(pgt=granting, target=target, target_url=target_service), "", ""


# --- Responses -------------------------------------------------------------------------------------------


def _el(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{CAS_NS}}}{name}", attrs)
    element.text = text
    return element


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def validation_xml(outcome: Outcome) -> str:
    root = ET.Element(f"{{{CAS_NS}}}serviceResponse")
    if not outcome.ok:
        _el(root, "authenticationFailure", outcome.description, code=outcome.code)
        return _xml(root)
    success = _el(root, "authenticationSuccess")
    _el(success, "user", outcome.user)
    if outcome.attributes:
        block = _el(success, "attributes")
        for name, values in outcome.attributes.items():
            for value in values:
                _el(block, name, value)
    if outcome.pgt_iou:
        _el(success, "proxyGrantingTicket", outcome.pgt_iou)
    if outcome.proxies:
        chain = _el(success, "proxies")
        for url in outcome.proxies:
            _el(chain, "proxy", url)
    return _xml(root)


def validation_json(outcome: Outcome) -> str:
    if not outcome.ok:
        body: dict = {"authenticationFailure": {"code": outcome.code, "description": outcome.description}}
    else:
        success: dict = {"user": outcome.user}
        if outcome.attributes:
            success["attributes"] = outcome.attributes
        if outcome.pgt_iou:
            success["proxyGrantingTicket"] = outcome.pgt_iou
        if outcome.proxies:
            success["proxies"] = outcome.proxies
        body = {"authenticationSuccess": success}
    return json.dumps({"serviceResponse": body}, ensure_ascii=False, indent=2) + "\n"


def proxy_xml(ticket: str, code: str, description: str) -> str:
    root = ET.Element(f"{{{CAS_NS}}}serviceResponse")
    if ticket:
        _el(_el(root, "proxySuccess"), "proxyTicket", ticket)
    else:
        _el(root, "proxyFailure", description, code=code)
    return _xml(root)


def proxy_json(ticket: str, code: str, description: str) -> str:
    if ticket:
        body: dict = {"proxySuccess": {"proxyTicket": ticket}}
    else:
        body = {"proxyFailure": {"code": code, "description": description}}
    return json.dumps({"serviceResponse": body}, ensure_ascii=False, indent=2) + "\n"


# --- Single logout -----------------------------------------------------------------------------------


SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


def logout_request(*, user: str, session_index: str) -> str:
    """The SAML ``LogoutRequest`` CAS posts to a service (``logoutRequest`` form field)."""
    root = ET.Element(
        f"{{{SAMLP}}}LogoutRequest",
        {
            "ID": f"LR-{uuid.uuid4().hex}",
            "Version": "2.0",
            "IssueInstant": timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
    name_id = ET.SubElement(root, f"{{{SAML}}}NameID")
    name_id.text = user
    index = ET.SubElement(root, f"{{{SAMLP}}}SessionIndex")
    index.text = session_index
    return ET.tostring(root, encoding="unicode")


def post_logout(*, service_url: str, user: str, session_index: str) -> bool:
    """POST the LogoutRequest to the service (certificate checked, no redirect followed); whether it said 2xx."""
    body = urlencode({"logoutRequest": logout_request(user=user, session_index=session_index)}).encode()
    request = urllib.request.Request(  # noqa: S310 (a registered https/http service address)
        service_url, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with _no_redirect().open(request, timeout=float(actions.cas_setting("timeout_seconds"))) as answer:  # type: ignore[arg-type]
            return 200 <= answer.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False
