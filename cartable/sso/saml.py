"""EduConnect's protocol: Cartable as a SAML 2.0 service provider, spoken through pysaml2.

pysaml2 makes and checks every signature (with Debian's xmlsec1), parses XML without entities
(defusedxml), and checks a response's destination, audience, recipient, lifetime and ``InResponseTo``.
This module only configures it from ``settings.CARTABLE_SAML`` and turns its answers into plain values:
what to redirect to, and who the IdP says the person is. Who that is in the directory, and what is
stored, is for ``queries`` and ``actions``.
"""

from __future__ import annotations

import calendar
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.ident import code as code_name_id
from saml2.ident import decode as decode_name_id
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_TRANSIENT
from saml2.samlp import STATUS_SUCCESS
from saml2.time_util import str_to_time
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

log = logging.getLogger(__name__)

SKEW_SECONDS = 60  # the clock difference tolerated between EduConnect and Cartable
_CONFIGS: dict[str, SPConfig] = {}


class Refused(Exception):
    """A SAML message Cartable does not accept; ``reason`` says why (for the log, never the page)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Assertion:
    """What a checked response says: who (the IdP's NameID and attributes), and the ids that make it single-use."""

    name_id: str  # pysaml2's coded NameID, kept in the session for single logout
    session_index: str
    assertion_id: str
    in_response_to: str
    not_on_or_after: int  # seconds since the epoch: the assertion id is kept until then
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        values = self.attributes.get(name) or [""]
        return str(values[0]).strip()


def setting(name: str) -> Any:
    return getattr(settings, "CARTABLE_SAML", {}).get(name, "")


def enabled() -> bool:
    """Whether EduConnect is configured: an entity id, the public address, the key pair and the IdP's metadata."""
    return bool(
        setting("entity_id")
        and setting("base_url")
        and setting("key_file")
        and setting("cert_file")
        and (setting("idp_metadata") or setting("idp_metadata_file"))
    )


def _url(name: str) -> str:
    return setting("base_url").rstrip("/") + reverse(name)


def config() -> SPConfig:
    """pysaml2's configuration of the service provider, built once per set of settings."""
    key = json.dumps(getattr(settings, "CARTABLE_SAML", {}), sort_keys=True)
    if key not in _CONFIGS:
        metadata = (
            {"inline": [setting("idp_metadata")]}
            if setting("idp_metadata")
            else {"local": [setting("idp_metadata_file")]}
        )
        conf = SPConfig()
        conf.load(
            {
                "entityid": setting("entity_id"),
                "xmlsec_binary": setting("xmlsec_binary"),
                "key_file": setting("key_file"),
                "cert_file": setting("cert_file"),
                "encryption_keypairs": [{"key_file": setting("key_file"), "cert_file": setting("cert_file")}],
                "metadata": metadata,
                "accepted_time_diff": SKEW_SECONDS,
                "allow_unknown_attributes": True,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "service": {
                    "sp": {
                        "name": "Cartable",
                        "endpoints": {
                            "assertion_consumer_service": [(_url("sso:saml_acs"), BINDING_HTTP_POST)],
                            "single_logout_service": [(_url("sso:saml_sls"), BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                        "allow_unsolicited": False,
                        "want_response_signed": False,
                        "want_assertions_signed": True,
                        "authn_requests_signed": True,
                        "logout_requests_signed": True,
                        "want_assertions_or_response_signed": True,
                    }
                },
            }
        )
        _CONFIGS[key] = conf
    return _CONFIGS[key]


def client() -> Saml2Client:
    return Saml2Client(config())


def idp_entity_id() -> str:
    """The one identity provider of the metadata (EduConnect)."""
    idps = list(config().metadata.identity_providers())
    if len(idps) != 1:
        raise Refused("the metadata must describe exactly one identity provider")
    return idps[0]


def metadata_xml() -> str:
    """Cartable's SP metadata (entity id, ACS, SLS, signing and encryption certificate), for EduConnect."""
    return create_metadata_string(None, config=config(), valid=None, sign=False).decode()


def authn_request(*, relay_state: str) -> tuple[str, str]:
    """A signed AuthnRequest for EduConnect over HTTP-Redirect: (its id, the address to send the browser to)."""
    request_id, info = client().prepare_for_authenticate(
        entityid=idp_entity_id(),
        relay_state=relay_state,
        binding=BINDING_HTTP_REDIRECT,
        sign=True,
        sigalg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    return request_id, dict(info["headers"])["Location"]


def parse_response(saml_response: str, *, outstanding: dict[str, str]) -> Assertion:
    """Check an HTTP-POST response: signed assertion, audience, recipient, lifetime, ``InResponseTo`` one
    of ``outstanding`` (this browser's pending requests). Raises :class:`Refused`."""
    try:
        response = client().parse_authn_request_response(saml_response, BINDING_HTTP_POST, outstanding)
    except Exception as error:  # pysaml2 raises a dozen kinds (and bare Exception for the audience)
        log.info("EduConnect response refused: %s: %s", type(error).__name__, error)
        raise Refused(type(error).__name__) from error
    if response is None or response.assertion is None:
        raise Refused("no assertion")
    assertion = response.assertion
    if not response.in_response_to or response.in_response_to not in outstanding:
        raise Refused("UnsolicitedResponse")
    not_on_or_after = 0
    for confirmation in assertion.subject.subject_confirmation:
        data = confirmation.subject_confirmation_data
        if data is not None and data.not_on_or_after:
            not_on_or_after = max(not_on_or_after, calendar.timegm(str_to_time(data.not_on_or_after)))
    statements = assertion.authn_statement or []
    return Assertion(
        name_id=code_name_id(response.name_id),
        session_index=(statements[0].session_index or "") if statements else "",
        assertion_id=assertion.id,
        in_response_to=response.in_response_to,
        not_on_or_after=not_on_or_after,
        attributes={name: [str(v) for v in values] for name, values in response.ava.items()},
    )


def logout_request(*, name_id: str, session_index: str, relay_state: str = "") -> str:
    """A signed LogoutRequest to EduConnect over HTTP-Redirect (SP-initiated single logout): the address."""
    saml = client()
    idp = idp_entity_id()
    destinations = saml.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    if not destinations:
        raise Refused("the IdP has no HTTP-Redirect single logout service")
    destination = destinations[0]["location"]
    _, request = saml.create_logout_request(
        destination,
        idp,
        name_id=decode_name_id(name_id),
        session_indexes=[session_index] if session_index else None,
        sign=False,  # HTTP-Redirect signs the query string instead (below)
    )
    info = saml.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), destination, relay_state, sign=True, sigalg=SIG_RSA_SHA256
    )
    return dict(info["headers"])["Location"]


def parse_logout_response(saml_response: str) -> bool:
    """Whether EduConnect's LogoutResponse (HTTP-Redirect) is valid and says the logout succeeded."""
    try:
        response = client().parse_logout_request_response(saml_response, BINDING_HTTP_REDIRECT)
    except Exception as error:
        log.info("EduConnect logout response refused: %s", error)
        return False
    return bool(response is not None and response.response.status.status_code.value == STATUS_SUCCESS)


def parse_logout_request(query: dict[str, str]) -> tuple[str, str]:
    """EduConnect's LogoutRequest (IdP-initiated, HTTP-Redirect, its signature checked): (the NameID coded,
    the address that carries Cartable's LogoutResponse). Raises :class:`Refused`."""
    saml = client()
    try:
        request = saml.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
    except Exception as error:  # a missing parameter, a bad signature, an unknown principal...
        raise Refused(type(error).__name__) from error
    if request is None or not query.get("Signature"):
        raise Refused("unsigned logout request")
    message = request.message
    response = saml.create_logout_response(message, [BINDING_HTTP_REDIRECT])
    destinations = saml.metadata.single_logout_service(idp_entity_id(), BINDING_HTTP_REDIRECT, "idpsso")
    destination = destinations[0].get("response_location") or destinations[0]["location"]
    info = saml.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        query.get("RelayState", ""),
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return code_name_id(message.name_id), dict(info["headers"])["Location"]
