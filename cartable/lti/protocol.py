"""The LTI 1.3 messages Cartable signs and the ones it checks, spoken through jwcrypto (the JOSE library
django-oauth-toolkit signs the OpenID Connect provider's tokens with).

Cartable signs with the OpenID Connect provider's RS256 key: its ``kid`` is in ``/oidc/jwks/``, the one key
set a tool is told, and a rotated key stays published there (``CARTABLE_OIDC_INACTIVE_KEY_FILES``) while
the tokens it signed live. A tool's own messages (its Deep Linking answer, its client assertion) are checked
against the key it registered: a PEM public key, or its JWKS fetched from the URL it gave.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from functools import lru_cache
from typing import Any

import requests
from django.conf import settings
from django.urls import reverse
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException
from oauth2_provider.settings import oauth2_settings

from cartable.lti.models import Tool

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READ, SCOPE_RESULT_READ, SCOPE_SCORE)
ID_TOKEN_SECONDS = 300
JWKS_TIMEOUT_SECONDS = 5


class Refused(Exception):
    """A message of a tool that does not hold: its ``error`` is the protocol's code, ``args[0]`` says why."""

    def __init__(self, why: str, error: str = "invalid_request") -> None:
        super().__init__(why)
        self.error = error


def issuer() -> str:
    """Cartable's issuer, the ``iss`` of its messages: its public address, without the trailing slash."""
    return str(settings.CARTABLE_BASE_URL).rstrip("/")


def absolute(name: str, *args: Any) -> str:
    return issuer() + reverse(name, args=args)


def platform_key() -> jwk.JWK:
    """The active signing key (the OpenID Connect provider's)."""
    return _key_from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY)


@lru_cache(maxsize=8)
def _key_from_pem(pem: str) -> jwk.JWK:
    return jwk.JWK.from_pem(pem.encode())


def sign(claims: dict[str, Any]) -> str:
    """The claims as a compact RS256 JWT whose ``kid`` names the key in Cartable's JWKS."""
    key = platform_key()
    token = jwt.JWT(header={"alg": "RS256", "typ": "JWT", "kid": key.thumbprint()}, claims=claims)
    token.make_signed_token(key)
    return str(token.serialize())


def subject(tool: Tool, user_id: int) -> str:
    """The person's ``sub`` for one tool: stable, and the same person is another ``sub`` for another tool."""
    message = f"lti:{tool.client_id}:{user_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def tool_keys(tool: Tool) -> jwk.JWKSet:
    """The tool's public keys: its PEM, or its JWKS fetched (HTTPS or the tests' 127.0.0.1, a few seconds)."""
    keys = jwk.JWKSet()
    if tool.public_key.strip():
        try:
            keys.add(jwk.JWK.from_pem(tool.public_key.strip().encode()))
        except (ValueError, TypeError) as error:
            raise Refused("the tool's public key cannot be read", "invalid_client") from error
        return keys
    try:
        response = requests.get(tool.jwks_url, timeout=JWKS_TIMEOUT_SECONDS)
        response.raise_for_status()
        return jwk.JWKSet.from_json(response.text)
    except (requests.RequestException, JWException, ValueError) as error:
        raise Refused("the tool's JWKS cannot be fetched", "invalid_client") from error


def verify(tool: Tool, token: str, *, audience: str) -> dict[str, Any]:
    """The claims of a JWT the tool signed (RS256), checked: signature, ``iss`` is its client id, ``aud``
    names Cartable (``audience``), ``exp`` not passed (a minute of leeway)."""
    try:
        header = _header(token)
        keys = tool_keys(tool)
        if header.get("alg") != "RS256":
            raise Refused("only RS256 is accepted")
        decoded = jwt.JWT(jwt=token, key=keys, algs=["RS256"], check_claims={"exp": None})
        claims = json.loads(decoded.claims)
    except JWException as error:
        raise Refused(f"bad signature or expired token ({type(error).__name__})", "invalid_grant") from error
    aud = claims.get("aud")
    if audience not in ([aud] if isinstance(aud, str) else list(aud or [])):
        raise Refused("the token is not addressed to Cartable", "invalid_grant")
    if claims.get("iss") != tool.client_id:
        raise Refused("the token is not the tool's", "invalid_client")
    return claims


def _header(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise Refused("not a compact JWT")
    signed = jws.JWS()
    try:
        signed.deserialize(token)
    except JWException as error:
        raise Refused("not a JWT") from error
    header = signed.jose_header
    return header if isinstance(header, dict) else {}


def now() -> int:
    return int(time.time())
