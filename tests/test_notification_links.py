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

from cartable.accounts.actions import activate_account, issue_activation_code
from cartable.accounts.models import ActivationCode
from cartable.agenda.models import Event
from cartable.attendance.actions import (
    decide,
    ensure_default_reasons,
    justify,
    notify_unexplained_absences,
    record_lateness,
)
from cartable.attendance.models import Absence, AbsenceReason, AttendanceSettings, Status
from cartable.core import dates, registry
from cartable.core.models import Notification
from cartable.core.notify import link_for_child, notify, title_for_child
from cartable.demo.region import load_demo_region
from cartable.directory.actor import SESSION_CHILD
from cartable.directory.models import TeachingAssignment
from cartable.discipline.actions import give_punishment, inform_family, open_sanction
from cartable.discipline.models import Punishment, Sanction
from cartable.forums.actions import reply, start_topic, subscribe
from cartable.forums.models import Forum
from cartable.grades import actions as grades_actions
from cartable.grades.models import Evaluation
from cartable.homework import actions as homework_actions
from cartable.messaging.actions import report_message, send_message
from cartable.notifications.tasks import EVENT_TOMORROW, HOMEWORK_DUE, remind
from cartable.timetable.actions import change_lesson
from tests.support.personas import PersonaTestCase
from tests.support.timetable import TimetableCase

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

    def test_class_news_to_a_guardian_names_the_child(self):
        """News for 5e A reaches Claire about Lucas: her notice names him; the item opens on him."""
        from cartable.news import actions as news_actions
        from cartable.news.models import NewsItem

        item = news_actions.publish_news(
            actor=self.actor("marc.leroy"),
            establishment_id=self.college.establishment.pk,
            audience=NewsItem.Audience.CLASSES,
            class_ids=[self.five_a.pk],
            title="Sortie des 5e A",
        )
        notice = Notification.objects.get(kind="news.published", recipient=self.claire, target_id=str(item.pk))
        self.assertEqual((notice.about, notice.title), (self.lucas, "Lucas : Nouvelle actualité : Sortie des 5e A"))
        self.assertIn("Sortie des 5e A", follow(self.client, notice))
        mine = Notification.objects.get(kind="news.published", recipient=self.lucas, target_id=str(item.pk))
        self.assertEqual(mine.title, "Nouvelle actualité : Sortie des 5e A")

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
                self.assertIn(dates.date_avis(tomorrow), notice.title)  # « mardi 1er décembre »: the day's own name
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

    def test_a_deleted_thing_takes_its_notices_back(self):
        """Once an event or a homework is deleted, its reminders and announcements leave the timelines (and
        their e-mails not sent yet with them): no notice leads to a page that no longer exists."""
        from cartable.agenda import actions as agenda_actions

        homework = self.homework("Puissances", days=1)
        start = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(9), tzinfo=PARIS)
        event = agenda_actions.create_event(
            actor=self.actor("lucas.martin"),
            establishment_id=None,
            kind=Event.Kind.PERSONAL,
            audience=Event.Audience.PERSONAL,
            title="Dentiste",
            start=start,
            end=start + dt.timedelta(hours=1),
        )
        remind(dt.datetime.combine(timezone.localdate(), dt.time(16, 5), tzinfo=PARIS))
        about = {"homework.homework": str(homework.pk), "agenda.event": str(event.pk)}
        for label, pk in about.items():
            self.assertTrue(Notification.objects.filter(target_type=label, target_id=pk).exists(), label)
        agenda_actions.delete_event(actor=self.actor("lucas.martin"), event=event)
        homework_actions.delete_homework(actor=self.actor("paul.dupont"), homework=homework)
        for label, pk in about.items():
            self.assertFalse(Notification.objects.filter(target_type=label, target_id=pk).exists(), label)

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


class SchoolLifeLinkTests(TimetableCase):
    """Timetable changes, school life, discipline, messages, forums and the welcome: each notice built through
    its action, followed as its recipient, to a page that shows the thing."""

    def setUp(self):
        p = self.people
        self.lucas, self.claire, self.nadia = p["lucas.martin"], p["claire.martin"], p["nadia.petit"]
        ensure_default_reasons(establishment_id=self.college.pk)
        self.reason = AbsenceReason.objects.filter(establishment=self.college).order_by("position").first()

    def notices(self, kind, recipient=None):
        rows = Notification.objects.filter(kind=kind).select_related("recipient")
        rows = rows.filter(recipient=recipient) if recipient is not None else rows
        self.assertTrue(rows.exists(), kind)
        return list(rows)

    def test_timetable_change_links_to_its_week_and_day(self):
        """The week of the change, scrolled to the change's day, for the student and (on the child) the
        guardian; the day is said in words with no « demain »."""
        day = timezone.localdate() + dt.timedelta(days=1)
        while day.weekday() != 0:
            day += dt.timedelta(days=1)
        change_lesson(actor=self.actor("nadia.petit"), slot=self.tt["math_monday"], date=day, kind="cancelled")
        for recipient in (self.lucas, self.claire):
            notice = self.notices("timetable.change", recipient)[0]
            with self.subTest(recipient=recipient.username):
                self.assertIn(f"lundi={day.isoformat()}", notice.url)
                self.assertTrue(notice.url.endswith(f"#day-{day.isoformat()}"), notice.url)
                self.assertIn(str(day.day), notice.title)
                page = follow(self.client, notice)
                self.assertIn(f'id="day-{day.isoformat()}"', page)
                self.assertIn("Annulé", page)
        self.assertTrue(self.notices("timetable.change", self.claire)[0].title.startswith("Lucas : "))

    def test_absence_justification_and_decision(self):
        """The absence notice leads the guardian to the absence (its date in words); the justification the
        CPE to it; the decision the guardian back to it."""
        now = timezone.now()
        absence = Absence.objects.create(
            establishment=self.college,
            student=self.lucas,
            start=now - dt.timedelta(minutes=5),
            end=now,
            status=Status.PENDING,
            source=Absence.Source.ROLL_CALL,
        )
        notify_unexplained_absences(now)
        told = self.notices("attendance.absence", self.claire)[0]
        self.assertNotIn("aujourd'hui", told.body)
        self.assertIn(str(timezone.localtime(absence.start).day), told.body)
        absence_url = reverse("attendance:absence", args=[absence.pk])
        self.assertIn(absence_url, told.url)
        follow(self.client, told)
        justification = justify(actor=self.actor("claire.martin"), record=absence, reason=self.reason, comment="Fièvre")
        follow(self.client, self.notices("attendance.justification", self.nadia)[0])
        decide(actor=self.actor("nadia.petit"), justification=justification, accept=True)
        decided = self.notices("attendance.decision", self.claire)[0]
        self.assertIn(absence_url, decided.url)
        self.assertIn("Fièvre", follow(self.client, decided))

    def test_lateness_threshold(self):
        """The CPE is led to the student's school-life page."""
        AttendanceSettings.objects.create(establishment=self.college, lateness_threshold=1, lateness_window_days=30)
        record_lateness(
            actor=self.actor("nadia.petit"),
            student=self.lucas,
            establishment_id=self.college.pk,
            at=timezone.now() - dt.timedelta(hours=1),
            minutes=10,
        )
        notice = self.notices("attendance.lateness_threshold", self.nadia)[0]
        self.assertIn("Lucas Martin", follow(self.client, notice))

    def test_punishment_exclusion_and_sanction(self):
        """The punishment and the exclusion's report lead to the punishment; the procedure's step to the
        sanction; the detention's day and hour said in words."""
        at_two = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=2), dt.time(14), tzinfo=PARIS)
        detention = give_punishment(
            actor=self.actor("paul.dupont"),
            student=self.lucas,
            kind=Punishment.Kind.DETENTION,
            reason="Travail non fait.",
            detention_at=at_two,
            detention_place="Étude",
        )
        notice = self.notices("discipline.punishment", self.claire)[0]
        self.assertIn("14:00", notice.body)
        self.assertIn(reverse("discipline:punishment", args=[detention.pk]), notice.url)
        self.assertIn("Travail non fait.", follow(self.client, notice))
        give_punishment(
            actor=self.actor("paul.dupont"),
            student=self.lucas,
            kind=Punishment.Kind.CLASS_EXCLUSION,
            reason="Insolence.",
            report="Refus de travailler.",
        )
        self.assertIn(
            "Refus de travailler.", follow(self.client, self.notices("discipline.class_exclusion", self.nadia)[0])
        )
        marc = self.actor("marc.leroy")
        sanction = open_sanction(
            actor=marc, student=self.lucas, authority=Sanction.Authority.PRINCIPAL, facts="Violence envers un camarade."
        )
        inform_family(actor=marc, sanction=sanction)
        step = self.notices("discipline.sanction_step", self.claire)[0]
        self.assertIn(reverse("discipline:sanction", args=[sanction.pk]), step.url)
        self.assertIn("Violence envers un camarade.", follow(self.client, step))

    def test_message_and_report(self):
        """A message's notice leads to its thread; a report's to the report."""
        with self.captureOnCommitCallbacks(execute=True):
            message, _recipients = send_message(
                actor=self.actor("claire.martin"),
                subject="Sortie au musée",
                body="<p>Lucas viendra.</p>",
                keys=[f"u:{self.people['paul.dupont'].pk}"],
            )
        notice = self.notices("messaging.message", self.people["paul.dupont"])[0]
        self.assertIn("Sortie au musée", follow(self.client, notice))
        report_message(actor=self.actor("paul.dupont"), message=message, reason="Hors sujet")
        reported = self.notices("messaging.report")[0]
        self.assertIn("Hors sujet", follow(self.client, reported))

    def test_forum_post(self):
        """A new post's notice leads to the topic, at the post's anchor."""
        forum = Forum.objects.create(
            establishment=self.college, kind=Forum.Kind.CLASS, school_class=self.five_a, title="Forum de la 5e A"
        )
        topic = start_topic(actor=self.actor("paul.dupont"), forum=forum, title="Le musée", body="<p>Qui vient ?</p>")
        subscribe(actor=self.actor("lea.bernard"), topic=topic)
        post = reply(actor=self.actor("lucas.martin"), topic=topic, body="<p>Moi !</p>")
        notice = self.notices("forums.post", self.people["lea.bernard"])[0]
        self.assertTrue(notice.url.endswith(f"#message-{post.pk}"))
        self.assertIn(f'id="message-{post.pk}"', follow(self.client, notice))

    def test_the_welcome_leads_to_ones_own_dashboard(self):
        """The welcome after activation is about the account: it leads to the person's own home, which, the
        charters not yet accepted, first asks for them."""
        zoe = self.people["zoe.fontaine"]
        issue_activation_code(actor=None, user=zoe)
        code = ActivationCode.objects.get(user=zoe)
        activate_account(user=zoe, code=code, password="une phrase de passe assez longue 42")
        notice = self.notices("accounts.welcome", zoe)[0]
        self.client.force_login(zoe)
        page = self.client.get(notice.url, follow=True)
        self.assertEqual(page.status_code, 200)
        self.assertIn(zoe.first_name, page.content.decode())

    def test_every_kind_with_a_link_is_walked(self):
        """A kind added later must be added to these tests: each registered kind is named here or in the demo
        walk above (the demo's welcome has no link)."""
        walked = {
            "homework.published", "homework.changed", "homework.feedback", HOMEWORK_DUE, EVENT_TOMORROW,
            "grades.published", "reportcards.published", "news.published", "timetable.change",
            "attendance.absence", "attendance.justification", "attendance.decision", "attendance.lateness_threshold",
            "discipline.punishment", "discipline.class_exclusion", "discipline.sanction_step",
            "messaging.message", "messaging.report", "forums.post", "accounts.welcome", "directory.demo_welcome",
            "privacy.request_received", "privacy.request_updated", "privacy.request_due",
        }  # fmt: skip
        self.assertEqual({k.key for k in registry.notification_kinds() if not k.key.startswith("tests.")}, walked)
