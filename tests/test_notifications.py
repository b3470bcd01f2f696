"""The notification centre: delivery by preferences, quiet hours, the digest, reminders, and the pages."""

from __future__ import annotations

import datetime as dt
import socket
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.core import authz, dates, registry
from cartable.core.authz import Action
from cartable.core.models import AuditEvent, Delivery, DigestRun, Notification, NotificationPreference, QuietHours
from cartable.core.notify import notify, plan, quiet_until
from cartable.core.tasks import deliver_pending, send_digests
from cartable.directory.models import TeachingAssignment, User
from cartable.homework import actions as homework_actions
from cartable.notifications.models import ReminderRun
from cartable.notifications.tasks import EVENT_TOMORROW, HOMEWORK_DUE, remind
from tests.support.personas import PersonaTestCase

PARIS = ZoneInfo("Europe/Paris")
MAILED = "tests.mailed"  # a kind e-mailed by default
QUIET = "tests.quiet"  # a kind shown in the app only by default
Channel = NotificationPreference.Channel


def paris(*args) -> dt.datetime:
    """An aware datetime, Paris time (2026-11-30 is a Monday, 2026-12-05 a Saturday)."""
    return dt.datetime(*args, tzinfo=PARIS)


@contextmanager
def clock(moment: dt.datetime):
    """Move the clock every caller of ``timezone.now()`` sees (tasks, auto_now fields)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class NotificationsTestCase(PersonaTestCase):
    def setUp(self):
        for kind in (
            registry.NotificationKind(key=MAILED, label="Essai courriel", default_channels=("in_app", "email")),
            registry.NotificationKind(key=QUIET, label="Essai discret", default_channels=("in_app",)),
        ):
            registry.register_notification_kind(kind)
            self.addCleanup(registry._kinds.pop, kind.key, None)
        p = self.people
        self.lucas, self.claire, self.emma = p["lucas.martin"], p["claire.martin"], p["emma.martin"]
        self.college = self.school.college.establishment

    def prefer(self, user, kind, channel, about=None):
        return NotificationPreference.objects.create(user=user, kind=kind, channel=channel, about=about)

    def quiet(self, user=None, *, establishment_id=None, start=dt.time(20), end=dt.time(7), weekends=False):
        return QuietHours.objects.create(
            user=user, establishment_id=establishment_id, start=start, end=end, weekends=weekends
        )


class PreferenceTests(NotificationsTestCase):
    def test_each_choice_decides_what_is_written(self):
        """In-app only: a notice and no delivery; e-mail: a notice and an e-mail; digest: a notice and a digest
        entry; off: nothing at all."""
        for channel, notices, deliveries in [
            (Channel.IN_APP, 1, []),
            (Channel.EMAIL, 1, [Delivery.Channel.EMAIL]),
            (Channel.DIGEST, 1, [Delivery.Channel.DIGEST]),
            (Channel.OFF, 0, []),
        ]:
            for kind in (MAILED, QUIET):
                with self.subTest(channel=channel, kind=kind):
                    NotificationPreference.objects.all().delete()
                    Notification.objects.all().delete()
                    self.prefer(self.lucas, kind, channel)
                    notify(recipients=[self.lucas], kind=kind, title="Essai")
                    self.assertEqual(Notification.objects.filter(recipient=self.lucas).count(), notices)
                    self.assertEqual(list(Delivery.objects.values_list("channel", flat=True)), deliveries)

    def test_without_a_choice_the_kinds_default_applies(self):
        """Nobody chose: an e-mailed kind sends an e-mail, an in-app kind does not."""
        notify(recipients=[self.lucas], kind=MAILED, title="Courriel")
        notify(recipients=[self.lucas], kind=QUIET, title="Discret")
        self.assertEqual(
            list(Delivery.objects.values_list("notification__kind", "channel")), [(MAILED, Delivery.Channel.EMAIL)]
        )

    def test_preferences_are_per_person(self):
        """Lucas turning a kind off changes nothing for his mother."""
        self.prefer(self.lucas, MAILED, Channel.OFF)
        notify(recipients=[self.lucas, self.claire], kind=MAILED, title="Essai")
        self.assertEqual(list(Notification.objects.values_list("recipient_id", flat=True)), [self.claire.pk])

    def test_a_guardian_chooses_per_child(self):
        """Claire gets Lucas's notices by e-mail and Emma's in the digest; her general choice covers the rest."""
        self.prefer(self.claire, MAILED, Channel.IN_APP)
        self.prefer(self.claire, MAILED, Channel.EMAIL, about=self.lucas)
        self.prefer(self.claire, MAILED, Channel.DIGEST, about=self.emma)
        for about, expected in [
            (self.lucas, Channel.EMAIL),
            (self.emma, Channel.DIGEST),
            (None, Channel.IN_APP),
            (self.people["lea.bernard"], Channel.IN_APP),
        ]:
            with self.subTest(about=about):
                plans = plan(recipient_ids=[self.claire.pk], kind=MAILED, about_id=about and about.pk)
                self.assertEqual(plans[self.claire.pk].channel, expected)
        notify(recipients=[self.claire], kind=MAILED, title="Lucas", about=self.lucas)
        notify(recipients=[self.claire], kind=MAILED, title="Emma", about=self.emma)
        self.assertEqual(
            sorted(Delivery.objects.values_list("notification__title", "channel")),
            [("Emma", Delivery.Channel.DIGEST), ("Lucas", Delivery.Channel.EMAIL)],
        )

    def test_a_class_wide_notice_reaches_each_guardian_about_their_own_child(self):
        """Homework published for 5e A reaches Claire about Lucas: her choice for Lucas applies, not Emma's."""
        self.prefer(self.claire, "homework.published", Channel.OFF, about=self.emma)
        self.prefer(self.claire, "homework.published", Channel.EMAIL, about=self.lucas)
        paul = self.people["paul.dupont"]
        math_5a = TeachingAssignment.objects.get(teacher=paul, school_class=self.school.college.classes["5e A"])
        homework_actions.save_homework(
            actor=self.actor("paul.dupont"),
            assignment=math_5a,
            kind="exercise",
            title="Fractions",
            due_date=timezone.localdate() + dt.timedelta(days=3),
        )
        notice = Notification.objects.get(kind="homework.published", recipient=self.claire)
        self.assertEqual(notice.about_id, self.lucas.pk)
        self.assertIsNone(Notification.objects.get(kind="homework.published", recipient=self.lucas).about_id)
        self.assertEqual(list(notice.deliveries.values_list("channel", flat=True)), [Delivery.Channel.EMAIL])
        NotificationPreference.objects.filter(user=self.claire, about=self.lucas).update(channel=Channel.OFF)
        homework_actions.save_homework(
            actor=self.actor("paul.dupont"),
            assignment=math_5a,
            kind="exercise",
            title="Puissances",
            due_date=timezone.localdate() + dt.timedelta(days=3),
        )
        self.assertFalse(Notification.objects.filter(recipient=self.claire, title__contains="Puissances").exists())

    def test_a_sender_naming_its_channels_caps_the_preferences(self):
        """A notice sent in-app only never turns into an e-mail, even for someone who wants e-mails."""
        self.prefer(self.lucas, QUIET, Channel.EMAIL)
        notify(recipients=[self.lucas], kind=QUIET, title="Ici seulement", channels=["in_app"])
        self.assertEqual(Notification.objects.count(), 1)
        self.assertFalse(Delivery.objects.exists())
        self.prefer(self.claire, QUIET, Channel.DIGEST)
        plans = plan(recipient_ids=[self.lucas.pk, self.claire.pk], kind=QUIET, channels=["in_app", "email"])
        self.assertEqual(
            (plans[self.lucas.pk].channel, plans[self.claire.pk].channel),
            (Channel.EMAIL, Channel.DIGEST),
            "where an e-mail is allowed, the digest is too",
        )

    def test_notify_costs_the_same_for_1000_recipients_as_for_10(self):
        """Preferences, quiet hours and the inserts: the query count does not grow with the recipients."""
        users = User.objects.bulk_create(
            [
                User(username=f"masse.{i}", first_name="M", last_name=str(i), email=f"m{i}@example.org")
                for i in range(1000)
            ]
        )
        ids = [u.pk for u in users]
        self.prefer(users[0], MAILED, Channel.DIGEST)
        self.prefer(users[1], MAILED, Channel.OFF)
        self.quiet(users[2])
        counts = []
        for recipients in (ids[:10], ids):
            with CaptureQueriesContext(connection) as queries:
                rows = notify(recipients=recipients, kind=MAILED, title="Masse", establishment_id=self.college.pk)
            counts.append(len(queries))
            self.assertEqual(len(rows), len(recipients) - 1)
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(counts[0], 4)
        self.assertEqual(Delivery.objects.filter(channel=Delivery.Channel.DIGEST).count(), 2)


class QuietHoursTests(NotificationsTestCase):
    def test_quiet_windows(self):
        """Night windows cross midnight, weekend holds end on Monday morning, windows chain."""
        night = QuietHours(start=dt.time(20), end=dt.time(7))
        weekend = QuietHours(weekends=True, start=dt.time(20), end=dt.time(7))
        lunch = QuietHours(start=dt.time(12), end=dt.time(14))
        for now, windows, expected in [
            (paris(2026, 11, 30, 22, 0), [night], paris(2026, 12, 1, 7, 0)),
            (paris(2026, 12, 1, 6, 30), [night], paris(2026, 12, 1, 7, 0)),
            (paris(2026, 12, 1, 7, 0), [night], None),
            (paris(2026, 12, 1, 15, 0), [night], None),
            (paris(2026, 12, 1, 12, 30), [lunch], paris(2026, 12, 1, 14, 0)),
            (paris(2026, 12, 4, 22, 0), [weekend], paris(2026, 12, 7, 7, 0)),  # Friday night to Monday
            (paris(2026, 12, 5, 10, 0), [weekend], paris(2026, 12, 7, 7, 0)),
            (paris(2026, 12, 5, 10, 0), [QuietHours(weekends=True)], paris(2026, 12, 7, 7, 0)),
            (
                paris(2026, 12, 4, 21, 0),
                [lunch, QuietHours(start=dt.time(21), end=dt.time(23))],
                paris(2026, 12, 4, 23),
            ),
        ]:
            with self.subTest(now=now):
                self.assertEqual(quiet_until(now, windows), expected)

    def test_a_notice_at_22h_is_emailed_at_7h_next_morning(self):
        """The in-app notice is there at once; the e-mail waits for the end of the person's quiet hours."""
        self.quiet(self.lucas)
        late = paris(2026, 11, 30, 22, 0)
        with clock(late), self.captureOnCommitCallbacks(execute=True):
            notify(recipients=[self.lucas], kind=MAILED, title="Tard le soir")
        self.assertTrue(Notification.objects.filter(recipient=self.lucas, read_at__isnull=True).exists())
        delivery = Delivery.objects.get()
        self.assertEqual(delivery.not_before, paris(2026, 12, 1, 7, 0))
        with clock(paris(2026, 12, 1, 6, 59)):
            self.assertEqual(deliver_pending.call(), 0)
        self.assertEqual(mail.outbox, [])
        with clock(paris(2026, 12, 1, 7, 0)):
            self.assertEqual(deliver_pending.call(), 1)
        self.assertEqual([m.subject for m in mail.outbox], ["[Cartable] Tard le soir"])

    def test_the_weekend_hold(self):
        """Saturday's notice waits until Monday morning for someone holding weekends."""
        self.quiet(self.lucas, start=None, end=None, weekends=True)
        with clock(paris(2026, 12, 5, 10, 0)):
            notify(recipients=[self.lucas], kind=MAILED, title="Samedi")
            self.assertEqual(deliver_pending.call(), 0)
        self.assertEqual(Delivery.objects.get().not_before, paris(2026, 12, 7, 7, 0))
        with clock(paris(2026, 12, 7, 7, 5)):
            self.assertEqual(deliver_pending.call(), 1)

    def test_the_establishments_quiet_hours_add_to_the_persons(self):
        """The collège's 19:00-07:30 holds its notices; a notice of another establishment leaves at once."""
        self.quiet(establishment_id=self.college.pk, start=dt.time(19), end=dt.time(7, 30))
        with clock(paris(2026, 11, 30, 19, 30)):
            notify(recipients=[self.lucas], kind=MAILED, title="Collège", establishment_id=self.college.pk)
            notify(
                recipients=[self.lucas],
                kind=MAILED,
                title="Ailleurs",
                establishment_id=self.school.lycee.establishment.pk,
            )
        self.assertEqual(
            dict(Delivery.objects.values_list("notification__title", "not_before")),
            {"Collège": paris(2026, 12, 1, 7, 30), "Ailleurs": None},
        )

    def test_nobody_in_quiet_hours_gets_mail_at_once(self):
        """Outside any window nothing waits."""
        self.quiet(self.lucas)
        with clock(paris(2026, 11, 30, 10, 0)), self.captureOnCommitCallbacks(execute=True):
            notify(recipients=[self.lucas], kind=MAILED, title="En journée")
        self.assertEqual(len(mail.outbox), 1)


class DigestTests(NotificationsTestCase):
    def test_the_digest_leaves_once_a_day_at_17h(self):
        """Digest notices wait for 17:00; one e-mail lists them; a second run the same day sends nothing; what
        comes after waits for the next day's digest."""
        self.prefer(self.lucas, MAILED, Channel.DIGEST)
        with clock(paris(2026, 11, 30, 9, 0)):
            notify(recipients=[self.lucas], kind=MAILED, title="Premier")
            notify(recipients=[self.lucas], kind=MAILED, title="Second", url="/devoirs/")
            self.assertEqual(deliver_pending.call(), 0, "digest entries are not sent one by one")
            self.assertEqual(send_digests.call(), 0, "too early")
        with clock(paris(2026, 11, 30, 17, 5)):
            self.assertEqual(send_digests.call(), 1)
            self.assertEqual(send_digests.call(), 0)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["lucas.martin@example.org"])
        self.assertIn("2 notifications", message.subject)
        self.assertIn("Premier", message.body)
        self.assertIn("Second", message.body)
        self.assertIn("/devoirs/", message.body)
        with clock(paris(2026, 11, 30, 18, 0)):
            notify(recipients=[self.lucas], kind=MAILED, title="Du soir")
            self.assertEqual(send_digests.call(), 0)
        with clock(paris(2026, 12, 1, 17, 0)):
            self.assertEqual(send_digests.call(), 1)
        self.assertIn("Du soir", mail.outbox[1].body)
        self.assertEqual(DigestRun.objects.filter(user=self.lucas).count(), 2)
        self.assertFalse(Delivery.objects.filter(status=Delivery.Status.PENDING).exists())

    def test_a_failed_digest_is_tried_again(self):
        """A mail server down undoes the day's claim: the next run sends the digest."""
        self.prefer(self.lucas, MAILED, Channel.DIGEST)
        with clock(paris(2026, 11, 30, 9, 0)):
            notify(recipients=[self.lucas], kind=MAILED, title="Premier")
        with (
            clock(paris(2026, 11, 30, 17, 30)),
            override_settings(MAILERS={"default": {"BACKEND": "tests.support.mail.FailingBackend"}}),
        ):
            self.assertEqual(send_digests.call(), 0)
        self.assertFalse(DigestRun.objects.exists())
        with clock(paris(2026, 11, 30, 17, 40)):
            self.assertEqual(send_digests.call(), 1)

    def test_old_digest_claims_are_purged(self):
        """The retention job forgets digest claims older than a month, keeps the recent ones."""
        from cartable.core.tasks import purge_expired_records

        today = timezone.localdate()
        DigestRun.objects.create(user=self.lucas, day=today - dt.timedelta(days=40))
        DigestRun.objects.create(user=self.lucas, day=today)
        self.assertEqual(purge_expired_records.call()["digests"], 1)
        self.assertEqual(list(DigestRun.objects.values_list("day", flat=True)), [today])


class ReminderTests(NotificationsTestCase):
    def setUp(self):
        super().setUp()
        self.paul = self.people["paul.dupont"]
        self.math_5a = TeachingAssignment.objects.get(
            teacher=self.paul, school_class=self.school.college.classes["5e A"]
        )

    def test_homework_due_tomorrow_not_done_is_reminded_once(self):
        """At 16:00 the students who have not ticked tomorrow's homework are reminded, once."""
        today = timezone.localdate()
        homework = homework_actions.save_homework(
            actor=self.actor("paul.dupont"),
            assignment=self.math_5a,
            kind="exercise",
            title="Fractions",
            due_date=today + dt.timedelta(days=1),
        )
        homework_actions.set_done(actor=self.actor("lea.bernard"), homework=homework, done=True)
        at_four = timezone.make_aware(dt.datetime.combine(today, dt.time(16, 5)), PARIS)
        self.assertEqual(remind(at_four - dt.timedelta(hours=2)), 0, "too early")
        remind(at_four)
        reminded = set(Notification.objects.filter(kind=HOMEWORK_DUE).values_list("recipient__username", flat=True))
        self.assertEqual(reminded, {"lucas.martin", "zoe.fontaine"})
        self.assertEqual(remind(at_four + dt.timedelta(hours=1)), 0)
        self.assertEqual(Notification.objects.filter(kind=HOMEWORK_DUE).count(), 2)
        self.assertEqual(ReminderRun.objects.get(kind=HOMEWORK_DUE).sent, 2)

    def test_an_event_tomorrow_is_reminded_once(self):
        """A personal event tomorrow reminds its owner; a class event its students; once."""
        from cartable.agenda.models import Event

        today = timezone.localdate()
        start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time(10)), PARIS)
        common = {"establishment": self.college, "start": start, "end": start + dt.timedelta(hours=1)}
        Event.objects.create(title="Dentiste", audience=Event.Audience.PERSONAL, owner=self.paul, **common)
        trip = Event.objects.create(title="Sortie", audience=Event.Audience.CLASSES, owner=self.paul, **common)
        trip.classes.add(self.school.college.classes["5e A"])
        Event.objects.create(title="Portes ouvertes", audience=Event.Audience.EVERYONE, owner=self.paul, **common)
        at_five = timezone.make_aware(dt.datetime.combine(today, dt.time(17)), PARIS)
        remind(at_five)
        remind(at_five)
        rows = sorted(Notification.objects.filter(kind=EVENT_TOMORROW).values_list("title", "recipient__username"))
        when = dates.date_heure_avis(start)  # the event's own day and hour, never « demain »
        self.assertEqual(
            rows,
            [
                (f"Rappel : Dentiste, {when}", "paul.dupont"),
                (f"Rappel : Sortie, {when}", "lea.bernard"),
                (f"Rappel : Sortie, {when}", "lucas.martin"),
                (f"Rappel : Sortie, {when}", "zoe.fontaine"),
            ],
        )


class SmtpTests(NotificationsTestCase):
    """A real SMTP server on 127.0.0.1 receives what the delivery task sends."""

    def setUp(self):
        super().setUp()
        from aiosmtpd.controller import Controller

        class Inbox:
            def __init__(self):
                self.envelopes = []

            async def handle_DATA(self, server, session, envelope):
                self.envelopes.append(envelope)
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.inbox = Inbox()
        controller = Controller(self.inbox, hostname="127.0.0.1", port=port)
        controller.start()
        self.addCleanup(controller.stop)
        smtp = {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
        overridden = override_settings(MAILERS={"default": smtp})
        overridden.enable()
        self.addCleanup(overridden.disable)

    def test_the_smtp_server_receives_the_email(self):
        """notify, commit, the task sends: the server gets one message to Lucas with the title and the link."""
        with self.captureOnCommitCallbacks(execute=True):
            notify(recipients=[self.lucas], kind=MAILED, title="Nouvelle note", body="Mathématiques", url="/notes/")
        self.assertEqual(len(self.inbox.envelopes), 1)
        envelope = self.inbox.envelopes[0]
        self.assertEqual(envelope.rcpt_tos, ["lucas.martin@example.org"])
        text = envelope.content.decode()
        self.assertIn("Nouvelle note", text)
        self.assertIn("/notes/", text)
        self.assertEqual(Delivery.objects.get().status, Delivery.Status.SENT)

    def test_the_smtp_server_receives_the_digest(self):
        """The evening digest goes through the same server."""
        self.prefer(self.lucas, MAILED, Channel.DIGEST)
        with clock(paris(2026, 11, 30, 9, 0)):
            notify(recipients=[self.lucas], kind=MAILED, title="Pour le résumé")
        with clock(paris(2026, 11, 30, 17, 15)):
            self.assertEqual(send_digests.call(), 1)
        self.assertEqual(len(self.inbox.envelopes), 1)


class PolicyTests(NotificationsTestCase):
    def test_a_notice_is_its_recipients_alone(self):
        """Only Lucas sees and marks his notice; not his mother, his teacher, the direction or the region."""
        notice = notify(recipients=[self.lucas], kind=QUIET, title="À moi")[0]
        for who, expected in [
            ("lucas.martin", True),
            ("claire.martin", False),
            ("paul.dupont", False),
            ("marc.leroy", False),
            ("admin.region", False),
            ("charlie.roux", False),
        ]:
            with self.subTest(who=who):
                actor = self.actor(who)
                self.assertIs(authz.allows(actor, Action.VIEW, notice), expected)
                self.assertIs(authz.allows(actor, Action.CHANGE, notice), expected)
                self.assertEqual(Notification.objects.visible_to(actor).filter(pk=notice.pk).exists(), expected)

    def test_who_sets_the_establishments_quiet_hours(self):
        """The direction, the ENT administrator and the region set the collège's quiet hours; nobody else."""
        window = self.quiet(establishment_id=self.college.pk)
        for who, expected in [
            ("marc.leroy", True),
            ("julie.moreau", True),
            ("admin.region", True),
            ("nadia.petit", False),
            ("paul.dupont", False),
            ("claire.martin", False),
            ("lucas.martin", False),
            ("charlie.roux", False),
        ]:
            with self.subTest(who=who):
                self.assertIs(authz.allows(self.actor(who), Action.CHANGE, window), expected)

    def test_who_may_open_the_establishments_quiet_hours(self):
        """The college's direction and ENT administrator, and the region; not its CPE, teachers or families."""
        college = self.school.college.establishment
        setters = {"marc.leroy", "julie.moreau", "admin.region"}
        for who in ("lucas.martin", "claire.martin", "paul.dupont", "nadia.petit", *setters, "charlie.roux"):
            with self.subTest(who=who):
                allowed = authz.can(self.actor(who), "notifications.set_establishment_quiet_hours", college)
                self.assertIs(allowed, who in setters)


class PageTests(NotificationsTestCase):
    def add_notices(self, n: int, user=None):
        for i in range(n):
            notify(recipients=[user or self.lucas], kind=QUIET, title=f"Notice {i}", url="/")

    def test_the_timeline_lists_ones_notices_newest_first_with_the_unread_count(self):
        """Lucas sees his own notices, newest first, the unread count in the page title; not Claire's."""
        self.add_notices(3)
        notify(recipients=[self.claire], kind=QUIET, title="Pour Claire")
        self.login("lucas.martin")
        page = self.client.get(reverse("notifications:timeline"))
        self.assertContains(page, "3 non lues")
        titles = [n.title for n in page.context["timeline"].items]
        self.assertEqual(titles[:3], ["Notice 2", "Notice 1", "Notice 0"])
        self.assertNotContains(page, "Pour Claire")

    def test_the_timeline_pages_and_filters_unread(self):
        """Twenty a page; the unread filter keeps unread notices only."""
        self.add_notices(25)
        Notification.objects.filter(title="Notice 24").update(read_at=timezone.now())
        self.login("lucas.martin")
        second = self.client.get(reverse("notifications:timeline"), {"page": 2})
        self.assertEqual(len(second.context["timeline"].items), 5)
        self.assertContains(second, "Page 2 sur 2")
        unread = self.client.get(reverse("notifications:timeline"), {"non-lues": "1"})
        self.assertEqual(unread.context["timeline"].total, 24)
        self.assertNotIn("Notice 24", [n.title for n in unread.context["timeline"].items])
        self.assertEqual(self.client.get(reverse("notifications:timeline"), {"page": "x"}).status_code, 200)

    def test_the_timeline_and_the_counter_cost_a_constant_number_of_queries(self):
        """Timeline: the session, the person, the counts, the page and the memberships (for the menu); the
        counter: the session, the person and the count. Both stay the same with fifty more notices."""
        self.login("lucas.martin")
        self.client.get(reverse("notifications:timeline"))  # the first page of a session saves it
        for extra in (3, 50):
            self.add_notices(extra)
            with self.subTest(extra=extra):
                with self.assertNumQueries(5):
                    self.client.get(reverse("notifications:timeline"))
                with self.assertNumQueries(5):
                    self.client.get(reverse("notifications:timeline"), {"non-lues": "1", "page": "2"})
                with self.assertNumQueries(3):
                    self.client.get(reverse("notifications:counter"))

    def test_a_guardian_filters_the_timeline_by_child_and_sees_the_other_childs_notices_named(self):
        """Claire keeps her timeline to Lucas, to Emma, or sees all (« Tous »); looking at Lucas, the notices
        about Emma carry Emma's name. Another person's child in the filter shows everything."""
        notify(recipients=[self.claire], kind=QUIET, title="Devoir de maths", about=self.lucas)
        notify(recipients=[self.claire], kind=QUIET, title="Devoir de SVT", about=self.emma)
        notify(recipients=[self.claire], kind=QUIET, title="Pour tous les parents")
        self.login("claire.martin")
        url = reverse("notifications:timeline")
        self.client.post(reverse("directory:switch_child"), {"child": self.lucas.pk})
        everything = self.client.get(url)
        self.assertContains(everything, f'href="{url}?concerne={self.lucas.pk}"')
        self.assertContains(everything, f'href="{url}?concerne={self.emma.pk}"')
        self.assertContains(everything, '<strong aria-current="page">Tous</strong>', html=False)
        labelled = {n.title: n.child_label for n in everything.context["timeline"].items}
        self.assertEqual(labelled["Emma : Devoir de SVT"], "Emma")
        self.assertEqual(labelled["Lucas : Devoir de maths"], "")
        self.assertEqual(labelled["Pour tous les parents"], "")
        only_emma = self.client.get(url, {"concerne": self.emma.pk})
        self.assertEqual([n.title for n in only_emma.context["timeline"].items], ["Emma : Devoir de SVT"])
        self.assertContains(only_emma, f'<strong aria-current="page">{self.emma.first_name}</strong>', html=False)
        stranger = self.client.get(url, {"concerne": self.people["lea.bernard"].pk})
        self.assertEqual(stranger.context["timeline"].total, 3)

    def test_the_guardians_timeline_and_its_filter_cost_no_query_per_notice(self):
        """Claire's timeline costs the same with 3 or 50 more notices, filtered by a child or not (the
        children are the header's, already loaded)."""
        self.login("claire.martin")
        url = reverse("notifications:timeline")
        self.client.get(url)
        for extra in (3, 50):
            for i in range(extra):
                notify(recipients=[self.claire], kind=QUIET, title=f"N{i}", about=(self.lucas, self.emma)[i % 2])
            for params in ({}, {"concerne": self.emma.pk}, {"concerne": self.lucas.pk, "non-lues": "1", "page": "2"}):
                with self.subTest(extra=extra, params=params), self.assertNumQueries(7):
                    self.client.get(url, params)

    def test_the_preferences_page_costs_a_constant_number_of_queries(self):
        """Lucas and Claire (with her children) pay the same whatever the number of choices they stored."""
        for username, expected in [("lucas.martin", 5), ("claire.martin", 7)]:
            self.login(username)
            self.client.get(reverse("notifications:preferences"))
            user = self.people[username]
            for kinds in ([], [k.key for k in registry.notification_kinds()]):
                with self.subTest(username=username, choices=len(kinds)):
                    for kind in kinds:
                        NotificationPreference.objects.get_or_create(user=user, kind=kind, defaults={"channel": "off"})
                    with self.assertNumQueries(expected):
                        self.client.get(reverse("notifications:preferences"))

    def test_the_counter_fragment(self):
        """The counter shows the number of unread notices, nothing when all are read, and answers 204 when the
        count is the one already shown."""
        self.add_notices(2)
        self.login("lucas.martin")
        self.assertContains(self.client.get(reverse("notifications:counter")), '(2<span class="sr-only"> non lues')
        self.assertEqual(self.client.get(reverse("notifications:counter"), {"vu": "2"}).status_code, 204)
        self.assertContains(self.client.get(reverse("notifications:counter"), {"vu": "1"}), "?vu=2")
        Notification.objects.update(read_at=timezone.now())
        self.assertNotContains(self.client.get(reverse("notifications:counter")), "(")

    def test_marking_read(self):
        """Marking one read (htmx or not) and then all; someone else's notice answers 404."""
        self.add_notices(3)
        claire_notice = notify(recipients=[self.claire], kind=QUIET, title="Pour Claire")[0]
        first, second, third = Notification.objects.filter(recipient=self.lucas).order_by("id")
        self.login("lucas.martin")
        response = self.client.post(reverse("notifications:read", args=[first.pk]), headers={"HX-Request": "true"})
        self.assertEqual(response["HX-Trigger"], "notifications-changed")
        self.assertNotContains(response, "Marquer comme lue")
        response = self.client.post(reverse("notifications:read", args=[second.pk]))
        self.assertRedirects(response, reverse("notifications:timeline"))
        self.assertEqual(self.client.post(reverse("notifications:read", args=[claire_notice.pk])).status_code, 404)
        self.assertEqual(self.client.get(reverse("notifications:read", args=[third.pk])).status_code, 405)
        self.assertEqual(Notification.objects.filter(recipient=self.lucas, read_at__isnull=True).count(), 1)
        self.client.post(reverse("notifications:read_all"))
        self.assertFalse(Notification.objects.filter(recipient=self.lucas, read_at__isnull=True).exists())
        claire_notice.refresh_from_db()
        self.assertIsNone(claire_notice.read_at)

    def test_the_preferences_page_groups_kinds_by_module_with_a_column_per_child(self):
        """Claire sees a column for Lucas and one for Emma; Lucas sees none; kinds are grouped by module."""
        self.login("claire.martin")
        page = self.client.get(reverse("notifications:preferences"))
        self.assertContains(page, '<th scope="col">Lucas</th>', html=True)
        self.assertContains(page, '<th scope="col">Emma</th>', html=True)
        self.assertContains(page, "Nouveau travail à faire")
        labels = [str(g.label) for g in page.context["groups"]]
        self.assertIn("Cahier de textes", labels)
        self.login("lucas.martin")
        page = self.client.get(reverse("notifications:preferences"))
        self.assertNotContains(page, '<th scope="col">Emma</th>', html=True)

    def test_saving_preferences_keeps_only_what_differs(self):
        """A general choice equal to the default, or a child's equal to the general one, leaves no row."""
        self.login("claire.martin")
        data = {
            f"pref:{MAILED}:moi": "email",  # the default
            f"pref:{MAILED}:{self.lucas.pk}": "email",  # as the general choice
            f"pref:{MAILED}:{self.emma.pk}": "off",
            f"pref:{QUIET}:moi": "digest",
            f"pref:{QUIET}:{self.lucas.pk}": "",
            f"pref:{QUIET}:{self.emma.pk}": "",
        }
        response = self.client.post(reverse("notifications:preferences"), data)
        self.assertRedirects(response, reverse("notifications:preferences"))
        self.assertEqual(
            set(NotificationPreference.objects.filter(user=self.claire).values_list("kind", "about_id", "channel")),
            {(MAILED, self.emma.pk, "off"), (QUIET, None, "digest")},
        )
        self.assertTrue(AuditEvent.objects.filter(verb="notifications.set_preferences", actor=self.claire).exists())
        page = self.client.get(reverse("notifications:preferences"))
        self.assertContains(page, '<option value="off" selected>', count=1)

    def test_a_general_and_a_childs_choice_for_one_kind_are_saved_and_saved_again(self):
        """Claire digests a kind in general but wants Emma's by e-mail: saved (no 500), then saved again."""
        self.login("claire.martin")
        data = {f"pref:{QUIET}:moi": "digest", f"pref:{QUIET}:{self.emma.pk}": "email"}
        for _ in range(2):
            response = self.client.post(reverse("notifications:preferences"), data)
            self.assertRedirects(response, reverse("notifications:preferences"))
        self.assertEqual(
            set(NotificationPreference.objects.filter(user=self.claire).values_list("kind", "about_id", "channel")),
            {(QUIET, None, "digest"), (QUIET, self.emma.pk, "email")},
        )

    def test_a_bad_choice_is_refused_and_what_was_typed_is_kept(self):
        """A value outside the list: a French message, a 400, nothing saved, the other choices redisplayed."""
        self.login("lucas.martin")
        response = self.client.post(
            reverse("notifications:preferences"), {f"pref:{MAILED}:moi": "pigeon", f"pref:{QUIET}:moi": "digest"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choix invalide pour « Essai courriel »", status_code=400)
        self.assertContains(response, '<option value="digest" selected>', status_code=400)
        self.assertFalse(NotificationPreference.objects.exists())

    def test_a_person_sets_and_clears_quiet_hours(self):
        """The form saves the hours; start without end is refused in French; empty clears them."""
        self.login("lucas.martin")
        url = reverse("notifications:quiet_hours")
        response = self.client.post(url, {"start": "21:00", "end": "07:00", "weekends": "on"})
        self.assertRedirects(response, reverse("notifications:preferences"))
        window = QuietHours.objects.get(user=self.lucas)
        self.assertEqual((window.start, window.end, window.weekends), (dt.time(21), dt.time(7), True))
        response = self.client.post(url, {"start": "21:00"})
        self.assertContains(response, "Indiquez l&#x27;heure de début et l&#x27;heure de fin", status_code=400)
        self.assertContains(response, 'value="21:00"', status_code=400)
        self.client.post(url, {})
        self.assertFalse(QuietHours.objects.filter(user=self.lucas).exists())
        self.assertEqual(AuditEvent.objects.filter(verb="notifications.set_quiet_hours").count(), 2)

    def test_the_establishments_quiet_hours_page(self):
        """Julie sets the collège's quiet hours; a teacher gets a 404."""
        url = reverse("notifications:establishment_quiet_hours")
        self.login("paul.dupont")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login("julie.moreau")
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(url, {"start": "19:00", "end": "07:30"})
        self.assertRedirects(response, url)
        window = QuietHours.objects.get(establishment_id=self.college.pk)
        self.assertEqual((window.start, window.end), (dt.time(19), dt.time(7, 30)))
        self.assertEqual(self.client.post(url, {"end": "07:30"}).status_code, 400)

    def test_the_header_and_the_dashboard_link_to_the_timeline(self):
        """Every page's header polls the counter; the dashboard widget links to the timeline."""
        self.login("lucas.martin")
        page = self.client.get(reverse("dashboard:home"))
        self.assertContains(page, reverse("notifications:counter"))
        self.assertContains(page, "Toutes mes notifications")
