"""Cartable as an LTI 1.3 platform, spoken to over real HTTP by pylti1p3 (a real tool, served on 127.0.0.1):
a student's launch that pylti1p3 validates (signature through Cartable's JWKS, nonce, state, deployment,
claims), Deep Linking into a class, Assignment and Grade Services into the gradebook, the class roster
(NRPS), and every refusal writing nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.cache import cache
from pylti1p3.exception import LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem as PyLineItem

from cartable.core.models import AuditEvent
from cartable.demo.personas import build_personas
from cartable.directory.actor import Actor
from cartable.grades.models import Evaluation, Mark
from cartable.lti import actions, protocol
from cartable.lti.models import LineItem, Link, LoginHint, Nonce, Score
from tests.support.lti import PyLtiTool, follow_form, form_of, register
from tests.support.sso import CSRF, sign_in

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.fixture
def world(transactional_db, live_server, settings):
    cache.clear()
    settings.CARTABLE_BASE_URL = live_server.url
    school = build_personas(history_weeks=2)
    with PyLtiTool() as tool:
        registered = register(tool, school, live_server.url, allow_ags=True, allow_nrps=True)
        five_a = school.college.classes["5e A"]
        link = actions.place_link(
            actor=Actor(school.people["paul.dupont"]),
            tool=registered,
            title="Fractions : exercices",
            school_class=five_a,
            subject=school.college.subjects["MATH"],
            custom={"chapitre": "fractions"},
        )
        yield {"tool": tool, "registered": registered, "link": link, "school": school, "base": live_server.url}
    cache.clear()


def signed_in(world, username: str) -> requests.Session:
    browser = requests.Session()
    sign_in(browser, world["base"] + "/lti/", username)
    return browser


def launch(world, browser: requests.Session, link: Link, *, to_auth: bool = True) -> requests.Response:
    """The person presses the activity's button; the browser follows Cartable's and the tool's forms (up to
    the tool's redirect to Cartable's authentication endpoint, not followed, unless ``to_auth``)."""
    page = browser.get(world["base"] + "/lti/")
    token = CSRF.search(page.text).group(1)
    started = browser.post(
        world["base"] + f"/lti/activites/{link.pk}/lancer/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
    )
    assert started.status_code == 200, started.text[:300]
    if not to_auth:
        _method, action, fields = form_of(started)
        return browser.get(action, params=fields, allow_redirects=False)
    return follow_form(browser, started)  # the tool's login initiation redirects to Cartable's auth


def test_a_student_launches_the_activity_and_pylti1p3_validates_the_id_token(world):
    browser = signed_in(world, "lucas.martin")
    at_auth = launch(world, browser, world["link"])
    assert at_auth.status_code == 200 and "/lti/auth/" in at_auth.url, at_auth.text[:300]
    landed = follow_form(browser, at_auth)
    assert landed.status_code == 200, landed.text[:500]
    data = landed.json()
    claim = protocol.LTI
    assert data[claim + "message_type"] == "LtiResourceLinkRequest"
    assert data[claim + "version"] == "1.3.0"
    assert data[claim + "deployment_id"] == "college-1"
    assert data[claim + "resource_link"]["title"] == "Fractions : exercices"
    assert data[claim + "context"]["label"] == "5e A"
    assert data[claim + "custom"] == {"chapitre": "fractions"}
    assert LIS + "membership#Learner" in data[claim + "roles"]
    lucas = world["school"].people["lucas.martin"]
    assert data["sub"] == protocol.subject(world["registered"], lucas.pk) != str(lucas.pk)
    assert "name" not in data and "email" not in data, "names are not sent unless the tool gets them"
    assert AuditEvent.objects.filter(verb="lti.launch", actor_id=lucas.pk).count() == 1
    # The kid is one of Cartable's published keys.
    keys = requests.get(world["base"] + "/oidc/jwks/", timeout=5).json()["keys"]
    assert protocol.platform_key().thumbprint() in {k["kid"] for k in keys}


def test_refusals_write_nothing(world):
    link, registered = world["link"], world["registered"]
    # A student of another class: the same 404 as a missing activity, no hint.
    ines = signed_in(world, "ines.girard")
    page = ines.get(world["base"] + "/lti/")
    token = CSRF.search(page.text).group(1)
    response = ines.post(
        world["base"] + f"/lti/activites/{link.pk}/lancer/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": page.url},
    )
    assert response.status_code == 404
    assert not LoginHint.objects.exists()

    lucas = signed_in(world, "lucas.martin")
    to_auth = launch(world, lucas, link, to_auth=False)
    assert to_auth.status_code == 302
    params = {k: v[0] for k, v in parse_qs(urlsplit(to_auth.headers["Location"]).query).items()}
    auth = world["base"] + "/lti/auth/"
    before_nonces = Nonce.objects.count()
    # Unknown client, unregistered redirect_uri: a French page, no redirect.
    unknown = lucas.get(auth, params=params | {"client_id": "inconnu"}, allow_redirects=False)
    assert unknown.status_code == 400 and "pas enregistré dans Cartable" in unknown.text
    elsewhere = lucas.get(auth, params=params | {"redirect_uri": "https://ailleurs.example/launch"})
    assert elsewhere.status_code == 400 and "pas envoyé" in elsewhere.text
    # Someone else's login hint.
    lea = signed_in(world, "lea.bernard")
    stolen = lea.get(auth, params=params)
    assert stolen.status_code == 403 and "pas le vôtre" in stolen.text
    # A message hint that is not the launch's.
    other = lucas.get(auth, params=params | {"lti_message_hint": "0"})
    assert other.status_code == 403
    assert Nonce.objects.count() == before_nonces
    assert LoginHint.objects.get().consumed_at is None
    # The real answer, then the same request replayed (the nonce, and the hint, used once).
    answered = lucas.get(auth, params=params)
    assert answered.status_code == 200
    replayed = lucas.get(auth, params=params)
    assert replayed.status_code == 403 and "déjà servi" in replayed.text
    # A state the tool did not issue: pylti1p3 refuses the launch.
    _method, action, fields = form_of(answered)
    mismatch = requests.post(action, data=fields | {"state": "state-forged"}, timeout=10)
    assert mismatch.status_code == 400 and world["tool"].errors
    assert AuditEvent.objects.filter(verb="lti.launch").count() == 1
    assert registered.pk


def test_a_wrong_deployment_is_refused_by_the_tool(world):
    world["tool"].configure(issuer=world["base"], client_id=world["registered"].client_id, deployment_ids=["autre"])
    browser = signed_in(world, "lucas.martin")
    landed = follow_form(browser, launch(world, browser, world["link"]))
    assert landed.status_code == 400 and "deployment" in landed.json()["refused"]


def test_deep_linking_places_the_tools_activities_for_the_class(world):
    tool, school = world["tool"], world["school"]
    tool.offer = [
        {"url": tool.url + "/launch?exercice=12", "title": "Exercice 12", "custom": {"niveau": "2"}},
        {"url": tool.url + "/launch?exercice=13", "title": "Exercice 13"},
    ]
    browser = signed_in(world, "paul.dupont")
    page = browser.get(world["base"] + "/lti/")
    token = CSRF.search(page.text).group(1)
    started = browser.post(
        world["base"] + "/lti/selection/",
        data={
            "csrfmiddlewaretoken": token,
            "tool": world["registered"].pk,
            "school_class": school.college.classes["5e A"].pk,
        },
        headers={"Referer": page.url},
    )
    assert started.status_code == 200, started.text[:300]
    at_auth = follow_form(browser, started)
    at_tool = follow_form(browser, at_auth)  # pylti1p3 validated the Deep Linking request, answers with its form
    assert at_tool.status_code == 200, at_tool.text[:300]
    _method, action, fields = form_of(at_tool)
    assert action == world["base"] + "/lti/selection/retour/"
    back = browser.post(action, data=fields)
    assert back.status_code == 200 and "Exercice 12" in back.text
    placed = Link.objects.filter(title__startswith="Exercice").order_by("title")
    assert [(p.title, p.custom, p.school_class_id) for p in placed] == [
        ("Exercice 12", {"niveau": "2"}, school.college.classes["5e A"].pk),
        ("Exercice 13", {}, school.college.classes["5e A"].pk),
    ]
    assert {p.created_by_id for p in placed} == {school.people["paul.dupont"].pk}
    # The same answer again: refused, nothing more.
    again = requests.post(action, data=fields, timeout=10)
    assert again.status_code == 400 and Link.objects.filter(title__startswith="Exercice").count() == 2


def _launched(world, username="lucas.martin"):
    browser = signed_in(world, username)
    landed = follow_form(browser, launch(world, browser, world["link"]))
    assert landed.status_code == 200, landed.text[:300]
    return world["tool"].launches[-1]


def test_a_score_from_pylti1p3s_grade_service_lands_in_the_gradebook(world):
    message = _launched(world)
    ags = message.get_ags()
    item = ags.find_or_create_lineitem(PyLineItem().set_label("Fractions").set_score_maximum(50).set_tag("fractions"))
    assert item.get_id().startswith(world["base"] + "/lti/ags/lignes/")
    evaluation = Evaluation.objects.get(pk=LineItem.objects.get().evaluation_id)
    assert (evaluation.title, evaluation.school_class_id, evaluation.scale) == (
        "Fractions",
        world["school"].college.classes["5e A"].pk,
        Decimal(20),
    )
    sub = message.get_launch_data()["sub"]
    moment = dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC)
    grade = (
        Grade()
        .set_score_given(37)
        .set_score_maximum(50)
        .set_user_id(sub)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp(moment.isoformat())
    )
    ags.put_grade(grade, item)
    lucas = world["school"].people["lucas.martin"]
    assert Mark.objects.get(evaluation=evaluation, student=lucas).value == Decimal("14.80")  # 37/50 on 20
    assert AuditEvent.objects.filter(verb="lti.score", subject_id=lucas.pk).count() == 1
    # An older timestamp never wins.
    older = grade.set_score_given(10).set_timestamp((moment - dt.timedelta(hours=1)).isoformat())
    with pytest.raises(LtiServiceException):
        ags.put_grade(older, item)
    assert Mark.objects.get(evaluation=evaluation, student=lucas).value == Decimal("14.80")
    # A student outside the context: refused, nothing written.
    ines = world["school"].people["ines.girard"]
    outsider = (
        Grade()
        .set_score_given(50)
        .set_score_maximum(50)
        .set_user_id(protocol.subject(world["registered"], ines.pk))
        .set_grading_progress("FullyGraded")
        .set_activity_progress("Completed")
        .set_timestamp(moment.isoformat())
    )
    with pytest.raises(LtiServiceException):
        ags.put_grade(outsider, item)
    assert not Mark.objects.filter(student=ines).exists() and Score.objects.count() == 1


def test_the_roster_from_pylti1p3s_nrps_client(world):
    message = _launched(world)
    members = message.get_nrps().get_members()
    school = world["school"]
    expected_students = {
        protocol.subject(world["registered"], school.people[u].pk)
        for u in ("lucas.martin", "lea.bernard", "zoe.fontaine")
    }
    learners = {m["user_id"] for m in members if LIS + "membership#Learner" in m["roles"]}
    assert learners == expected_students
    instructors = {m["user_id"] for m in members if LIS + "membership#Instructor" in m["roles"]}
    assert protocol.subject(world["registered"], school.people["paul.dupont"].pk) in instructors
    assert all("name" not in m for m in members), "names only if the tool gets them"


def test_the_token_endpoint_refuses_a_forged_assertion(world):
    registered = world["registered"]
    forged = PyLtiTool()  # another key pair, claiming the tool's client id
    forged.configure(issuer=world["base"], client_id=registered.client_id, deployment_ids=["college-1"])
    from pylti1p3.registration import Registration
    from pylti1p3.service_connector import ServiceConnector

    reg = (
        Registration()
        .set_issuer(world["base"])
        .set_client_id(registered.client_id)
        .set_auth_token_url(world["base"] + "/lti/token/")
        .set_tool_private_key(forged.private_pem)
    )
    with pytest.raises(LtiServiceException):
        ServiceConnector(reg).get_access_token([protocol.SCOPE_SCORE])
