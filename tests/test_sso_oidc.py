"""The OpenID Connect provider over real HTTP, spoken to by authlib (the relying party's side): discovery,
the RFC 7636 vector, authorization code with PKCE S256 through Cartable's sign-in and the French consent
screen, the id_token checked against the JWKS, userinfo and the claims by scope; then the refusals: a reused
code, a PKCE mismatch, ``plain``, an unregistered or look-alike ``redirect_uri``, a person out of the
service's audience. The person's side is a plain HTTP session filling the forms."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.core.cache import cache
from joserfc import jwt
from joserfc.jwk import KeySet

from cartable.core.models import AuditEvent
from cartable.demo.personas import build_personas
from cartable.directory.actor import Actor
from cartable.directory.models import Role
from cartable.sso import actions
from cartable.sso.models import Launch, Service
from tests.support.sso import CSRF, sign_in

CALLBACK = "https://rp.cartable.test/callback"
SCOPES = "openid profile email ent"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@pytest.fixture
def world(transactional_db, live_server, monkeypatch):
    """The persona school and one OIDC service for the college's students."""
    cache.clear()
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the live server speaks HTTP on 127.0.0.1
    school = build_personas(history_weeks=2)
    service = actions.register_service(
        actor=Actor(school.people["marc.leroy"]),
        establishment=school.college.establishment,
        kind=Service.Kind.OIDC,
        name="Manuels numériques",
        url="https://rp.cartable.test/",
        addresses=CALLBACK,
        roles=[Role.STUDENT],
    )
    assert service.oidc_application is not None
    yield {"server": live_server.url, "service": service, "client_id": service.oidc_application.client_id}
    cache.clear()


def rp(world, **kwargs) -> OAuth2Session:
    return OAuth2Session(
        world["client_id"],
        redirect_uri=kwargs.pop("redirect_uri", CALLBACK),
        scope=kwargs.pop("scope", SCOPES),
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
        **kwargs,
    )


def discovery(world) -> dict:
    answer = requests.get(world["server"] + "/.well-known/openid-configuration", timeout=10)
    assert answer.status_code == 200
    return answer.json()


def consent(browser: requests.Session, page: requests.Response) -> str:
    """Accept the consent screen; the redirect to the service with its code."""
    assert page.status_code == 200, page.text[:300]
    data = dict(HIDDEN.findall(page.text)) | {"allow": "Autoriser"}
    data["csrfmiddlewaretoken"] = CSRF.search(page.text).group(1)
    answer = browser.post(page.url, data=data, headers={"Referer": page.url}, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["Location"]


def authorize(world, verifier: str, **kwargs) -> tuple[OAuth2Session, str]:
    client = rp(world)
    url, _state = client.create_authorization_url(discovery(world)["authorization_endpoint"], code_verifier=verifier)
    browser = requests.Session()
    page = sign_in(browser, url, **kwargs)
    return client, consent(browser, page)


VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def test_rfc7636_s256_vector():
    assert create_s256_code_challenge(VERIFIER) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_discovery_announces_s256_only_and_rs256(world):
    config = discovery(world)
    assert config["issuer"] == world["server"]
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert "RS256" in config["id_token_signing_alg_values_supported"]  # our clients are all RS256
    assert config["jwks_uri"] == world["server"] + "/oidc/jwks/"
    assert {"openid", "profile", "email", "ent"} <= set(config["scopes_supported"])


def test_code_with_pkce_gives_an_id_token_checked_against_the_jwks_and_userinfo(world):
    client, back = authorize(world, VERIFIER)
    assert back.startswith(CALLBACK + "?") and "code=" in back
    config = discovery(world)
    token = client.fetch_token(config["token_endpoint"], authorization_response=back, code_verifier=VERIFIER)
    keys = KeySet.import_key_set(requests.get(config["jwks_uri"], timeout=10).json())
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    assert id_token.header["alg"] == "RS256"
    claims = id_token.claims
    assert claims["iss"] == world["server"] and claims["aud"] == world["client_id"]
    assert claims["preferred_username"] == "lucas.martin"
    assert claims["ent_profils"] == ["National_ELV"]
    assert claims["ent_classes"] == ["0540042K$5e A"]
    info = client.get(config["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"] and info["ent_etablissements"] == ["0540042K"]
    # Audited: the consent and the code; the launch counted without a name.
    verbs = set(AuditEvent.objects.filter(verb__startswith="sso.oidc.").values_list("verb", flat=True))
    assert verbs == {"sso.oidc.consent", "sso.oidc.code"}
    assert Launch.objects.filter(service=world["service"], via=Launch.Via.CODE, role=Role.STUDENT).count() == 1


def check_claims_follow_the_scopes(world):
    client = rp(world, scope="openid")
    verifier = "v" * 50
    url, _ = client.create_authorization_url(discovery(world)["authorization_endpoint"], code_verifier=verifier)
    browser = requests.Session()
    back = consent(browser, sign_in(browser, url))
    token = client.fetch_token(discovery(world)["token_endpoint"], authorization_response=back, code_verifier=verifier)
    info = client.get(discovery(world)["userinfo_endpoint"]).json()
    assert set(info) == {"sub"}, info
    assert "id_token" in token


def check_a_reused_code_is_refused(world):
    client, back = authorize(world, VERIFIER)
    token_url = discovery(world)["token_endpoint"]
    client.fetch_token(token_url, authorization_response=back, code_verifier=VERIFIER)
    code = parse_qs(urlsplit(back).query)["code"][0]
    again = requests.post(
        token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": world["client_id"],
            "code_verifier": VERIFIER,
        },
        timeout=10,
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def check_a_pkce_mismatch_is_refused(world):
    _client, back = authorize(world, VERIFIER)
    code = parse_qs(urlsplit(back).query)["code"][0]
    answer = requests.post(
        discovery(world)["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": world["client_id"],
            "code_verifier": "w" * 50,
        },
        timeout=10,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def check_plain_and_missing_pkce_are_refused(world):
    endpoint = discovery(world)["authorization_endpoint"]
    browser = requests.Session()
    base = {"response_type": "code", "client_id": world["client_id"], "redirect_uri": CALLBACK, "scope": "openid"}
    sign_in(
        browser,
        endpoint
        + "?"
        + requests.compat.urlencode(base | {"code_challenge": VERIFIER, "code_challenge_method": "S256"}),
    )
    missing = browser.get(endpoint, params=base, allow_redirects=False)  # PKCE required
    assert missing.status_code == 302 and missing.headers["Location"].startswith(CALLBACK + "?error=invalid_request")
    # « plain »: refused as a missing challenge is, before the consent screen.
    plain = browser.get(
        endpoint, params=base | {"code_challenge": VERIFIER, "code_challenge_method": "plain"}, allow_redirects=False
    )
    assert plain.status_code == 302, plain.text[:200]
    assert plain.headers["Location"].startswith(CALLBACK + "?error=invalid_request")
    assert "code=" not in plain.headers["Location"]


LOOK_ALIKES = [
    "https://evil.example/callback",
    CALLBACK + "/",
    CALLBACK + "?next=x",
    "https://rp.cartable.test.evil.example/callback",
    CALLBACK.upper(),
]


def check_an_unregistered_or_look_alike_redirect_uri_gets_a_french_page_and_no_redirect(world, redirect_uri):
    client = rp(world, redirect_uri=redirect_uri)
    url, _ = client.create_authorization_url(discovery(world)["authorization_endpoint"], code_verifier=VERIFIER)
    page = sign_in(requests.Session(), url)
    assert page.status_code == 400 and "Location" not in page.headers
    text = page.text.replace("&#x27;", "'")
    assert "Connexion impossible" in text and "vous n'y serez pas redirigé" in text


def check_an_unknown_client_gets_a_french_page(world):
    browser = requests.Session()
    url = discovery(world)["authorization_endpoint"] + "?client_id=nope&response_type=code&redirect_uri=" + CALLBACK
    page = sign_in(browser, url)
    assert page.status_code == 400 and "Application inconnue" in page.text


def check_outside_the_audience_a_french_refusal_and_no_code(world):
    codes = AuditEvent.objects.filter(verb="sso.oidc.code").count()
    client = rp(world)
    url, _ = client.create_authorization_url(discovery(world)["authorization_endpoint"], code_verifier=VERIFIER)
    page = sign_in(requests.Session(), url, username="charlie.roux")
    assert page.status_code == 403 and "n'est pas ouverte à votre profil" in page.text.replace("&#x27;", "'")
    assert AuditEvent.objects.filter(verb="sso.oidc.code").count() == codes


def test_scopes_and_replay(world):
    """Claims by scope, then a code used twice (one live server for both: it is slow to start)."""
    check_claims_follow_the_scopes(world)
    check_a_reused_code_is_refused(world)


def test_every_bad_request_is_refused(world):
    check_a_pkce_mismatch_is_refused(world)
    check_plain_and_missing_pkce_are_refused(world)
    for redirect_uri in LOOK_ALIKES:
        check_an_unregistered_or_look_alike_redirect_uri_gets_a_french_page_and_no_redirect(world, redirect_uri)
    check_an_unknown_client_gets_a_french_page(world)
    check_outside_the_audience_a_french_refusal_and_no_code(world)
