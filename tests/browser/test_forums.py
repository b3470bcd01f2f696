"""Forums in Chromium: a teacher opens a topic in 5e A's forum, a student replies, the teacher hides the
reply and the class sees the trace; axe-core checks every page, and the pages fit a 360 px phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cartable.forums.models import Forum, Post, Topic
from tests.support.browser import assert_accessible, follow, log_in, visit
from tests.support.phone import PHONE

pytestmark = pytest.mark.browser


def _class_forum(school):
    return Forum.objects.create(
        establishment=school.college.establishment,
        kind=Forum.Kind.CLASS,
        school_class=school.college.classes["5e A"],
        title="Forum de la 5e A",
        created_by=school["paul.dupont"],
    )


def test_a_teacher_posts_a_student_replies_and_the_teacher_hides_the_reply(page, school):
    """paul.dupont opens a topic, lucas.martin replies, paul hides the reply in place (htmx); lea.bernard then
    reads "Message masqué par Paul Dupont" instead of the text."""
    forum = _class_forum(school)
    log_in(page, "paul.dupont")
    visit(page, "/forums/")
    with follow(page):
        page.get_by_role("link", name="Forum de la 5e A").click()
    page.get_by_role("textbox", name="Sujet").fill("Fractions : vos questions")
    page.get_by_role("textbox", name="Message").fill("Posez vos questions sur les exercices de la page 48.")
    with follow(page):
        page.get_by_role("button", name="Publier le sujet").click()
    expect(page.get_by_role("heading", name="Fractions : vos questions")).to_be_visible()
    topic_url = page.url
    page.context.clear_cookies()

    log_in(page, "lucas.martin")
    visit(page, topic_url)
    page.get_by_label("Votre réponse").fill("Un message hors sujet à masquer")
    with follow(page):
        page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text("Un message hors sujet à masquer")).to_be_visible()
    page.context.clear_cookies()

    log_in(page, "paul.dupont")
    visit(page, topic_url)
    reply = Post.objects.get(author=school["lucas.martin"])
    post = page.locator(f"#message-{reply.pk}")
    post.get_by_role("button", name="Masquer ce message").click()
    expect(page.locator(f"#message-{reply.pk}")).to_contain_text("Message masqué par Paul Dupont le")
    expect(page.locator(f"#message-{reply.pk}")).to_contain_text("Un message hors sujet à masquer")  # moderator
    assert_accessible(page)
    assert Post.objects.get(pk=reply.pk).hidden_by == school["paul.dupont"]
    page.context.clear_cookies()

    log_in(page, "lea.bernard")
    visit(page, topic_url)
    expect(page.get_by_text("Message masqué par Paul Dupont le")).to_be_visible()
    expect(page.get_by_text("Un message hors sujet à masquer")).to_have_count(0)
    assert forum.topics.count() == 1


def test_a_locked_topic_shows_why_the_reply_form_is_gone(page, school):
    """Once paul.dupont locks the topic, lucas.martin reads that it is locked and has no reply form."""
    forum = _class_forum(school)
    topic = Topic.objects.create(
        establishment=forum.establishment,
        forum=forum,
        title="Sortie",
        author=school["paul.dupont"],
        last_post_at=timezone.now(),
        post_count=1,
    )
    Post.objects.create(
        establishment=forum.establishment, topic=topic, author=school["paul.dupont"], body="<p>Infos</p>"
    )
    log_in(page, "paul.dupont")
    visit(page, f"/forums/sujets/{topic.pk}/")
    with follow(page):
        page.get_by_role("button", name="Verrouiller le sujet").click()
    page.context.clear_cookies()
    log_in(page, "lucas.martin")
    visit(page, f"/forums/sujets/{topic.pk}/")
    expect(page.get_by_text("Ce sujet est verrouillé.")).to_be_visible()
    expect(page.get_by_label("Votre réponse")).to_have_count(0)


@pytest.mark.parametrize(
    "username,url",
    [
        ("lucas.martin", "/forums/"),
        ("lucas.martin", "forum"),
        ("paul.dupont", "topic"),
        ("paul.dupont", "/forums/nouveau/"),
    ],
)
def test_forum_pages_fit_a_360_pixel_phone(page, school, username, url):
    """At 360×740 the forum pages never scroll sideways."""
    forum = _class_forum(school)
    topic = Topic.objects.create(
        establishment=forum.establishment,
        forum=forum,
        title="Un sujet au titre assez long pour passer à la ligne",
        author=school["paul.dupont"],
        last_post_at=timezone.now(),
        post_count=2,
    )
    for author in ("paul.dupont", "lucas.martin"):
        Post.objects.create(establishment=forum.establishment, topic=topic, author=school[author], body="<p>Texte</p>")
    Post.objects.filter(author=school["lucas.martin"]).update(hidden_at=timezone.now(), hidden_by=school["paul.dupont"])
    url = {"forum": f"/forums/{forum.pk}/", "topic": f"/forums/sujets/{topic.pk}/"}.get(url, url)
    page.set_viewport_size(PHONE)
    log_in(page, username)
    visit(page, url)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
