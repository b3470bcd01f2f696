"""Notices that are true: each one links to the exact thing it is about, as its recipient sees it (a guardian's
link opens the page on the child it names), and says the thing's own dates.

The demo region's notices are all written by the real code (news announced, reminders of the daily job,
homework announced, feedback returned, report cards published): the first test walks every one of them as
its recipient. The other kinds are built through their actions on the persona school."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from cartable.agenda.models import Event
from cartable.core import registry
from cartable.core.models import Notification
from cartable.core.notify import link_for_child, notify, title_for_child
from cartable.demo.region import load_demo_region
from cartable.directory.actor import SESSION_CHILD
from cartable.directory.models import TeachingAssignment
from cartable.grades import actions as grades_actions
from cartable.grades.models import Evaluation
from cartable.homework import actions as homework_actions
from cartable.notifications.tasks import EVENT_TOMORROW, HOMEWORK_DUE, remind
from tests.support.personas import PersonaTestCase

PARIS = ZoneInfo("Europe/Paris")


def thing_text(target) -> str:
    """What the page about ``target`` must show: its title, or what names it."""
    label = target._meta.label_lower
    if label == "homework.feedback":
        return target.submission.homework.title
    if label == "reportcards.reportcard":
        return target.period.name
    return target.title


def follow(client, notice) -> str:
    """Follow a notice's link as its recipient: 200, and the page's text."""
    client.force_login(notice.recipient)
    response = client.get(notice.url)
    assert response.status_code == 200, (notice.kind, notice.url, response.status_code)
    return response.content.decode()


class DemoNoticeLinkTests(TestCase):
    """Every notice of the demo region leads its recipient to a page showing the thing it is about."""

    @classmethod
    def setUpTestData(cls):
        cache.clear()
        cls.region = load_demo_region()

    def test_every_demo_notice_links_to_its_thing(self):
        kinds = set()
        # The personas, who can sign in (the region's other people have not accepted the charters).
        personas = [u for u in self.region.personas.people.values() if u.is_activated]
        for notice in Notification.objects.exclude(url="").filter(recipient__in=personas).select_related("recipient"):
            kinds.add(notice.kind)
            with self.subTest(kind=notice.kind, recipient=notice.recipient.username, url=notice.url):
                from django.apps import apps

                target = apps.get_model(notice.target_type).objects.get(pk=notice.target_id)
                page = follow(self.client, notice)
                self.assertIn(thing_text(target), page.replace("&#x27;", "'").replace("&quot;", '"'))
        # The demo has the kinds its modules send (the others are walked below, on the persona school).
        self.assertTrue({"news.published", HOMEWORK_DUE, "homework.feedback", "reportcards.published"} <= kinds)

    def test_a_guardians_link_opens_the_page_on_the_child_it_names(self):
        """claire.martin, looking at Emma, follows a notice about Lucas: the page is Lucas's, and she now
        looks at Lucas (as the header's switcher would have done)."""
        p = self.region.personas.people
        claire, lucas, emma = p["claire.martin"], p["lucas.martin"], p["emma.martin"]
        notice = Notification.objects.filter(recipient=claire, about=lucas, kind="homework.feedback").first()
        self.assertIsNotNone(notice)
        self.client.force_login(claire)
        self.client.post(reverse("directory:switch_child"), {"child": emma.pk})
        self.assertEqual(self.client.session[SESSION_CHILD], emma.pk)
        page = self.client.get(notice.url)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Lucas")
        self.assertEqual(self.client.session[SESSION_CHILD], lucas.pk)
        # Another person's child named in a link changes nothing.
        self.client.get(reverse("dashboard:home"), {"enfant": p["lea.bernard"].pk})
        self.assertEqual(self.client.session[SESSION_CHILD], lucas.pk)


class KindLinkTests(PersonaTestCase):
    """The kinds the demo does not send, each built through its action and followed as its recipient."""

    def setUp(self):
        p = self.people
        self.lucas, self.claire, self.paul = p["lucas.martin"], p["claire.martin"], p["paul.dupont"]
        self.college = self.school.college
        self.five_a = self.college.classes["5e A"]
        self.math_5a = TeachingAssignment.objects.get(teacher=self.paul, school_class=self.five_a)

    def homework(self, title="Fractions", days=2):
        return homework_actions.save_homework(
            actor=self.actor("paul.dupont"),
            assignment=self.math_5a,
            kind="exercise",
            title=title,
            due_date=timezone.localdate() + dt.timedelta(days=days),
        )

    def test_homework_published_and_changed(self):
        """Lucas and Claire (about Lucas) reach the homework itself; Claire's notice names Lucas."""
        homework = self.homework()
        homework_actions.save_homework(
            actor=self.actor("paul.dupont"),
            assignment=self.math_5a,
            kind="exercise",
            title="Fractions (corrigé)",
            due_date=homework.due_date,
            homework=homework,
        )
        for kind in ("homework.published", "homework.changed"):
            for notice in Notification.objects.filter(kind=kind, recipient__in=[self.lucas, self.claire]):
                with self.subTest(kind=kind, recipient=notice.recipient.username):
                    self.assertIn("Fractions", follow(self.client, notice))
                    if notice.recipient == self.claire:
                        self.assertTrue(notice.title.startswith("Lucas : "), notice.title)

    def test_grades_published_links_to_the_marks_row(self):
        """The notice leads to the student's grades page, at the evaluation's own row (an anchor), for the
        student and for the guardian (on the child)."""
        kit = self.college
        today = timezone.localdate()
        period = next((p for p in kit.periods if p.start_date <= today <= p.end_date), kit.periods[0])
        evaluation = Evaluation.objects.create(
            establishment=kit.establishment,
            teacher=self.paul,
            subject=kit.subjects["MATH"],
            school_class=self.five_a,
            period=period,
            title="Calcul mental",
            date=period.start_date,
            publish_at=timezone.now() - dt.timedelta(hours=1),
            scale=Decimal("20"),
            coefficient=Decimal("1"),
        )
        grades_actions.save_marks(
            actor=self.actor("paul.dupont"),
            evaluation=evaluation,
            entries={self.lucas.pk: grades_actions.MarkEntry(value=Decimal(14))},
        )
        notices = Notification.objects.filter(kind="grades.published")
        self.assertEqual({n.recipient for n in notices}, {self.lucas, self.claire})
        for notice in notices:
            with self.subTest(recipient=notice.recipient.username):
                self.assertTrue(notice.url.endswith(f"#evaluation-{evaluation.pk}"), notice.url)
                page = follow(self.client, notice)
                self.assertIn(f'id="evaluation-{evaluation.pk}"', page)
                self.assertIn("Calcul mental", page)

    def test_reminders_say_the_things_own_day_and_lead_to_it(self):
        """The homework and event reminders name the day itself (never « demain ») and the event's hour."""
        self.homework("Puissances", days=1)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        start = dt.datetime.combine(tomorrow, dt.time(8, 30), tzinfo=PARIS)
        event = Event.objects.create(
            establishment=self.college.establishment,
            title="Sortie au musée",
            audience=Event.Audience.PERSONAL,
            owner=self.lucas,
            start=start,
            end=start + dt.timedelta(hours=7),
            location="Musée de l'École de Nancy",
        )
        remind(dt.datetime.combine(timezone.localdate(), dt.time(16, 5), tzinfo=PARIS))
        due = Notification.objects.get(kind=HOMEWORK_DUE, recipient=self.lucas)
        trip = Notification.objects.get(kind=EVENT_TOMORROW, recipient=self.lucas, target_id=str(event.pk))
        for notice in (due, trip):
            with self.subTest(kind=notice.kind):
                self.assertNotIn("demain", notice.title.lower())
                self.assertIn(f" {tomorrow.day} ", notice.title)
        self.assertIn("08:30", trip.title)
        self.assertIn("Musée", trip.body)
        self.assertIn("Puissances", follow(self.client, due))
        self.assertIn("Sortie au musée", follow(self.client, trip))

    def test_a_deleted_event_sends_no_reminder(self):
        """The reminder is checked against the event when it leaves: gone, nothing is sent."""
        start = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(9), tzinfo=PARIS)
        event = Event.objects.create(
            establishment=self.college.establishment,
            title="Annulé",
            audience=Event.Audience.PERSONAL,
            owner=self.lucas,
            start=start,
            end=start + dt.timedelta(hours=1),
        )
        event.delete()
        remind(dt.datetime.combine(timezone.localdate(), dt.time(16, 5), tzinfo=PARIS))
        self.assertFalse(Notification.objects.filter(kind=EVENT_TOMORROW).exists())

    def test_homework_already_due_is_not_announced(self):
        """Homework entered after its day (the log filled in late) sends no « nouveau travail pour le 1er »."""
        self.homework("Pour hier", days=-1)
        self.homework("Pour aujourd'hui", days=0)
        titles = list(Notification.objects.filter(kind="homework.published").values_list("title", flat=True))
        self.assertFalse([t for t in titles if "Pour hier" in t])
        self.assertTrue([t for t in titles if "Pour aujourd'hui" in t])


class ChildNamingTests(PersonaTestCase):
    """``notify`` names the child of a guardian's notice, in its title and in its link."""

    def setUp(self):
        kind = registry.NotificationKind(key="tests.child", label="Essai", default_channels=("in_app",))
        registry.register_notification_kind(kind)
        self.addCleanup(registry._kinds.pop, kind.key, None)

    def test_the_title_and_link_name_the_child_once(self):
        p = self.people
        claire, lucas, emma = p["claire.martin"], p["lucas.martin"], p["emma.martin"]
        rows = notify(
            recipients=[claire, lucas],
            kind="tests.child",
            title="Nouveau travail",
            url="/cahier-de-textes/devoir/1/#consignes",
            about={claire.pk: lucas.pk},
        )
        by = {n.recipient_id: n for n in rows}
        self.assertEqual(by[claire.pk].title, "Lucas : Nouveau travail")
        self.assertEqual(by[claire.pk].url, f"/cahier-de-textes/devoir/1/?enfant={lucas.pk}#consignes")
        own = (by[lucas.pk].title, by[lucas.pk].url)
        self.assertEqual(own, ("Nouveau travail", "/cahier-de-textes/devoir/1/#consignes"))
        self.assertEqual(title_for_child("Absence d'Emma", "Emma"), "Absence d'Emma")
        self.assertEqual(link_for_child("/notes/?periode=3", emma.pk), f"/notes/?periode=3&enfant={emma.pk}")
        self.assertTrue(re.match(r"^Emma : ", title_for_child("Retenue", "Emma")))
