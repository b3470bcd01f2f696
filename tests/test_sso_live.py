"""The CAS server over real HTTP, spoken to by python-cas (the client many Python services use), versions
1, 2 and 3: sign-in, renew, gateway, proxy tickets through an HTTPS callback, and single logout caught by
a local HTTPS listener. The person's side is a plain HTTP session filling the sign-in form."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cas import CASClient, CASError
from django.core.cache import cache

from cartable.demo.personas import build_personas
from cartable.directory.actor import Actor
from cartable.directory.models import Role
from cartable.sso import actions
from cartable.sso.models import Service, SignedInService
from tests.support.https import Listener
from tests.support.sso import DEMO, sign_in


@pytest.fixture
def listener():
    with Listener() as running:
        yield running


@pytest.fixture
def world(transactional_db, live_server, listener, settings):
    """The persona school, the demo's CAS service and one living at the listener (proxies allowed)."""
    cache.clear()
    school = build_personas(history_weeks=2)
    settings.CARTABLE_CAS = settings.CARTABLE_CAS | {"ca_bundle": str(listener.ca_bundle)}
    principal = Actor(school.people["marc.leroy"])
    common = {"actor": principal, "establishment": school.college.establishment, "kind": Service.Kind.CAS}
    actions.register_service(
        **common, name="Vie scolaire (démo)", url=DEMO, addresses=DEMO, roles=[Role.STUDENT, Role.TEACHER]
    )
    app = listener.url + "app/"
    actions.register_service(
        **common,
        name="Cahier",
        url=app,
        addresses=app,
        roles=[Role.STUDENT],
        allow_proxy=True,
        profile=Service.Profile.SCHOOL,
    )
    yield {"server": live_server.url + "/cas/", "app": app, "listener": listener}
    cache.clear()


def ticket_of(response: requests.Response) -> str:
    assert response.status_code == 302, response.text[:300]
    return parse_qs(urlsplit(response.headers["Location"]).query)["ticket"][0]


@pytest.mark.parametrize("version", [1, 2, 3])
def test_python_cas_signs_lucas_in_with_each_version(world, version):
    client = CASClient(version=version, service_url=DEMO, server_url=world["server"])
    browser = requests.Session()
    ticket = ticket_of(sign_in(browser, client.get_login_url()))
    user, attributes, pgtiou = client.verify_ticket(ticket)
    assert user == "lucas.martin"
    assert pgtiou is None
    if version == 3:
        assert attributes["uid"] == "lucas.martin"
        assert attributes["isFromNewLogin"] == "true"
    assert client.verify_ticket(ticket)[0] is None, "a ticket opens once"
    # Signed in, the next service gets a ticket without the password (not from a new login).
    again = ticket_of(browser.get(client.get_login_url(), allow_redirects=False))
    if version == 3:
        assert client.verify_ticket(again)[1]["isFromNewLogin"] == "false"


def test_renew_and_gateway(world):
    browser = requests.Session()
    plain = CASClient(version=3, service_url=DEMO, server_url=world["server"])
    gateway = plain.get_login_url() + "&gateway=true"
    assert browser.get(gateway, allow_redirects=False).headers["Location"] == DEMO  # nobody signed in: no ticket
    ticket_of(sign_in(browser, plain.get_login_url()))
    assert "ticket=ST-" in browser.get(gateway, allow_redirects=False).headers["Location"]
    renewing = CASClient(version=3, service_url=DEMO, server_url=world["server"], renew=True)
    form = browser.get(renewing.get_login_url(), allow_redirects=False)
    assert form.status_code == 200 and "Mot de passe" in form.text  # signed in, yet asked again
    ticket = ticket_of(sign_in(browser, renewing.get_login_url()))
    user, attributes, _iou = renewing.verify_ticket(ticket)
    assert (user, attributes["isFromNewLogin"]) == ("lucas.martin", "true")


def test_proxy_tickets_through_an_https_callback(world):
    app, listener = world["app"], world["listener"]
    client = CASClient(version=2, service_url=app, server_url=world["server"], proxy_callback=app + "pgt")
    ticket = ticket_of(sign_in(requests.Session(), client.get_login_url()))
    user, _attributes, iou = client.verify_ticket(ticket)
    assert user == "lucas.martin" and iou.startswith("PGTIOU-")
    callback = listener.received[-1]
    assert callback.path == "/app/pgt" and callback.query["pgtIou"] == [iou]
    pgt = callback.query["pgtId"][0]
    assert pgt.startswith("PGT-")
    proxy_ticket = client.get_proxy_ticket(pgt)
    assert proxy_ticket.startswith("PT-")
    proxied = CASClient(version=3, service_url=app, server_url=world["server"])
    proxied.url_suffix = "p3/proxyValidate"
    user, attributes, _iou = proxied.verify_ticket(proxy_ticket)
    assert user == "lucas.martin"
    assert attributes["ENTEleveClasses"] == "0540042K$5e A"
    # A proxy ticket is not a service ticket: refused at serviceValidate (and burnt there).
    second = client.get_proxy_ticket(pgt)
    assert CASClient(version=2, service_url=app, server_url=world["server"]).verify_ticket(second)[0] is None
    with pytest.raises(CASError):
        client.get_proxy_ticket("PGT-" + "0" * 64)


def test_an_http_callback_gets_no_proxy_granting_ticket(world):
    app = world["app"]
    insecure = app.replace("https://", "http://") + "pgt"
    client = CASClient(version=2, service_url=app, server_url=world["server"], proxy_callback=insecure)
    ticket = ticket_of(sign_in(requests.Session(), client.get_login_url()))
    assert client.verify_ticket(ticket) == (None, None, None)
    assert world["listener"].received == []


def test_single_logout_reaches_the_service_with_its_ticket(world):
    app, listener = world["app"], world["listener"]
    client = CASClient(version=3, service_url=app, server_url=world["server"])
    browser = requests.Session()
    ticket = ticket_of(sign_in(browser, client.get_login_url()))
    assert client.verify_ticket(ticket)[0] == "lucas.martin"
    assert SignedInService.objects.count() == 1
    out = browser.get(client.get_logout_url(app), allow_redirects=False)
    assert out.headers["Location"] == app  # registered: back to the service
    posted = [r for r in listener.received if r.method == "POST"]
    assert len(posted) == 1 and posted[0].path == "/app/"
    logout_request = posted[0].form["logoutRequest"][0]
    assert client.verify_logout_request(logout_request, ticket)
    assert "<saml:NameID>lucas.martin</saml:NameID>" in logout_request
    assert SignedInService.objects.count() == 0
