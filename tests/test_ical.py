"""The calendar feed: the RFC 5545 writer (folding, escaping, time zone) and the secret, revocable feed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import timezone

from cartable.agenda import actions, ical
from cartable.agenda.models import CalendarFeed, Event
from cartable.core.models import AuditEvent
from cartable.directory.models import SchoolClass, TeachingAssignment
from cartable.homework.models import Homework
from cartable.timetable.models import LessonChange, Slot
from tests.support.personas import PersonaTestCase

PARIS = ZoneInfo("Europe/Paris")
LONG_FRENCH = (
    "Sortie pédagogique à l'écomusée : départ à 8 h précises, prévoir un goûter, des chaussures fermées, "
    "un imperméable ; retour vers 17 h 30 — élèves de 5e A accompagnés de Mme Bernard & M. Dupont 🚌🌧️✨. "
    "Œuvres étudiées : « Les Misérables », « Le Petit Prince »… Ça va être génial !\nDeuxième ligne, ici."
)


class WriterTests(SimpleTestCase):
    def sample(self) -> str:
        stamp = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
        calendar = ical.Calendar(name="Agenda de Lucas, 5e A")
        calendar.events.append(
            ical.VEvent(
                uid="event-1@cartable",
                summary=LONG_FRENCH,
                start=dt.datetime(2025, 3, 31, 8, 0, tzinfo=PARIS),
                end=dt.datetime(2025, 3, 31, 17, 30, tzinfo=PARIS),
                stamp=stamp,
                sequence=3,
                description=LONG_FRENCH * 2,
                location="Écomusée; salle 2, bâtiment \\B",
            )
        )
        calendar.events.append(
            ical.VEvent(
                uid="homework-2@cartable",
                summary="Contrôle",
                start=dt.date(2025, 4, 2),
                end=dt.date(2025, 4, 3),
                stamp=stamp,
                status="CANCELLED",
            )
        )
        return calendar.to_ical()

    def test_every_line_is_at_most_75_octets_and_ends_with_crlf(self):
        """No physical line passes 75 octets; every line ends with CR LF; each is valid UTF-8 alone."""
        text = self.sample()
        self.assertTrue(text.endswith("\r\n"))
        lines = text.split("\r\n")[:-1]
        self.assertNotIn("\n", "".join(lines))
        for line in lines:
            with self.subTest(line=line):
                self.assertLessEqual(len(line.encode("utf-8")), 75)
                line.encode("utf-8").decode("utf-8")  # a split character would fail here
        self.assertTrue(any(line.startswith(" ") for line in lines), "long lines are folded")

    def test_folding_never_splits_a_character(self):
        """Folding a line of multi-byte characters keeps each character whole and unfolds to the original."""
        for sample in ["é" * 100, "🚌" * 40, "a" + "€" * 60, "x" * 74 + "é", "x" * 75, "x" * 76]:
            with self.subTest(sample=sample[:10]):
                folded = ical.fold("SUMMARY:" + sample)
                for piece in folded.split("\r\n"):
                    self.assertLessEqual(len(piece.encode("utf-8")), 75)
                self.assertEqual(folded.replace("\r\n ", ""), "SUMMARY:" + sample)

    def test_text_is_escaped_and_read_back_unchanged(self):
        """Backslashes, semicolons, commas and newlines are escaped, and the parser restores them."""
        self.assertEqual(ical.escape_text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne")
        calendar = ical.parse(self.sample())
        event = calendar.walk("VEVENT")[0]
        self.assertEqual(ical.unescape_text(event.value("SUMMARY")), LONG_FRENCH)
        self.assertEqual(ical.unescape_text(event.value("LOCATION")), "Écomusée; salle 2, bâtiment \\B")
        self.assertEqual(ical.unescape_text(event.value("DESCRIPTION")), LONG_FRENCH * 2)

    def test_the_calendar_has_the_required_properties_and_the_paris_time_zone(self):
        """VERSION, PRODID, CALSCALE, METHOD; a VTIMEZONE with STANDARD and DAYLIGHT rules; local DTSTART,
        UTC DTSTAMP, all-day dates, SEQUENCE and STATUS."""
        calendar = ical.parse(self.sample())
        self.assertEqual(calendar.name, "VCALENDAR")
        self.assertEqual(calendar.value("VERSION"), "2.0")
        self.assertTrue(calendar.value("PRODID"))
        self.assertEqual(calendar.value("CALSCALE"), "GREGORIAN")
        self.assertEqual(calendar.value("METHOD"), "PUBLISH")
        (zone,) = calendar.walk("VTIMEZONE")
        self.assertEqual(zone.value("TZID"), "Europe/Paris")
        self.assertEqual(zone.walk("DAYLIGHT")[0].value("RRULE"), "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU")
        self.assertEqual(zone.walk("STANDARD")[0].value("RRULE"), "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU")
        timed, all_day = calendar.walk("VEVENT")
        self.assertEqual(timed.get("DTSTART").params, {"TZID": "Europe/Paris"})
        self.assertEqual(timed.value("DTSTART"), "20250331T080000")
        self.assertEqual(timed.value("DTSTAMP"), "20250301T120000Z")
        self.assertEqual(timed.value("SEQUENCE"), "3")
        self.assertEqual(all_day.get("DTSTART").params, {"VALUE": "DATE"})
        self.assertEqual((all_day.value("DTSTART"), all_day.value("DTEND")), ("20250402", "20250403"))
        self.assertEqual(all_day.value("STATUS"), "CANCELLED")

    def test_utc_moments_are_written_in_paris_time(self):
        """A UTC datetime is written as its Paris wall-clock time, in winter and in summer."""
        self.assertEqual(ical.format_local(dt.datetime(2025, 1, 10, 7, 0, tzinfo=dt.UTC)), "20250110T080000")
        self.assertEqual(ical.format_local(dt.datetime(2025, 7, 10, 7, 0, tzinfo=dt.UTC)), "20250710T090000")

    def test_the_parser_rejects_bad_input(self):
        """Bare LF line ends and unbalanced components are refused."""
        for bad in ["BEGIN:VCALENDAR\nEND:VCALENDAR\n", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n"]:
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                ical.parse(bad)


class FeedTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.five_a = SchoolClass.objects.get(name="5e A")
        cls.seconde = SchoolClass.objects.get(name="2nde GT 1")
        cls.today = timezone.localdate()
        cls.monday = cls.today - dt.timedelta(days=cls.today.weekday())

    def issue(self, who: str, child: str | None = None) -> str:
        _feed, token = actions.issue_feed(actor=self.actor(who), child_id=self.people[child].pk if child else None)
        return token

    def fetch(self, token: str):
        return self.client.get(reverse("agenda:ical", args=[token]))

    def add_lessons(self):
        """A weekly maths lesson for 5e A on Mondays (valid all year), with next Monday's cancelled."""
        assignment = TeachingAssignment.objects.get(teacher=self.people["paul.dupont"], school_class=self.five_a)
        slot = Slot.objects.create(
            establishment=self.college,
            assignment=assignment,
            weekday=0,
            start_time=dt.time(8),
            end_time=dt.time(9),
            valid_from=self.monday - dt.timedelta(days=30),
        )
        LessonChange.objects.create(
            establishment=self.college,
            slot=slot,
            date=self.monday + dt.timedelta(days=7),
            kind=LessonChange.Kind.CANCELLED,
            note="Sortie au musée",
        )
        return slot

    def add_homework(self, school_class, teacher="paul.dupont", kind=Homework.Kind.TEST, title="Contrôle"):
        assignment = TeachingAssignment.objects.get(teacher=self.people[teacher], school_class=school_class)
        return Homework.objects.create(
            establishment_id=assignment.establishment_id,
            assignment=assignment,
            kind=kind,
            title=title,
            due_date=self.monday + dt.timedelta(days=3),
            published_at=timezone.now() - dt.timedelta(days=1),
            author=self.people[teacher],
            version=2,
        )

    def test_the_feed_is_valid_icalendar_with_lessons_homework_and_events(self):
        """Lucas's feed carries his lessons (a cancelled one as STATUS:CANCELLED, SEQUENCE 1), his test
        (SEQUENCE = its version) and the collège's event (SEQUENCE = its sequence), with stable UIDs."""
        slot = self.add_lessons()
        test = self.add_homework(self.five_a, title="Contrôle de fractions")
        day = self.monday + dt.timedelta(days=2)
        event = Event.objects.create(
            establishment=self.college,
            audience=Event.Audience.EVERYONE,
            title="Cross, course; relais",
            start=dt.datetime.combine(day, dt.time(14), tzinfo=PARIS),
            end=dt.datetime.combine(day, dt.time(16), tzinfo=PARIS),
            owner=self.people["marc.leroy"],
            sequence=4,
        )
        response = self.fetch(self.issue("lucas.martin"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        calendar = ical.parse(response.content.decode("utf-8"))
        events = {e.value("UID"): e for e in calendar.walk("VEVENT")}
        cancelled = events[f"lesson-{slot.pk}-{(self.monday + dt.timedelta(days=7)).isoformat()}@cartable"]
        self.assertEqual(cancelled.value("STATUS"), "CANCELLED")
        self.assertEqual(cancelled.value("SEQUENCE"), "1")
        self.assertEqual(cancelled.get("DTSTART").params, {"TZID": "Europe/Paris"})
        normal = events[f"lesson-{slot.pk}-{self.monday.isoformat()}@cartable"]
        self.assertEqual((normal.value("STATUS"), normal.value("SEQUENCE")), ("CONFIRMED", "0"))
        self.assertIn("fractions", events[f"homework-{test.pk}@cartable"].value("SUMMARY"))
        self.assertEqual(events[f"homework-{test.pk}@cartable"].value("SEQUENCE"), "2")
        self.assertEqual(events[f"event-{event.pk}@cartable"].value("SEQUENCE"), "4")
        self.assertEqual(events[f"event-{event.pk}@cartable"].value("SUMMARY"), "Cross\\, course\\; relais")
        self.assertTrue(all(e.value("DTSTAMP").endswith("Z") for e in events.values()))

    def test_a_module_switched_off_leaves_the_feed_as_it_leaves_the_menus(self):
        """With the collège's timetable off, Lucas's feed loses its lessons; with its homework log off, its
        tests; Emma's lycée keeps both in her mother's merged feed."""
        slot = self.add_lessons()
        lucas_test = self.add_homework(self.five_a, title="Contrôle de Lucas")
        emma_test = self.add_homework(self.seconde, title="Contrôle d'Emma")
        self.college.module_settings = {"timetable": False, "homework": False}
        self.college.save()

        def uids(token):
            return {e.value("UID") for e in ical.parse(self.fetch(token).content.decode()).walk("VEVENT")}

        lucas = uids(self.issue("lucas.martin"))
        self.assertFalse(any(uid.startswith(f"lesson-{slot.pk}-") for uid in lucas))
        self.assertNotIn(f"homework-{lucas_test.pk}@cartable", lucas)
        merged = uids(self.issue("claire.martin"))
        self.assertIn(f"homework-{emma_test.pk}@cartable", merged)
        self.assertNotIn(f"homework-{lucas_test.pk}@cartable", merged)

    def test_a_teacher_who_is_a_parent_keeps_a_feed_for_each_role(self):
        """sophie.bernard's feed as a teacher shows her lessons; her feed as Léa's mother, issued after it,
        does not revoke it and shows Léa's test."""
        assignment = TeachingAssignment.objects.get(teacher=self.people["sophie.bernard"], school_class=self.five_a)
        slot = Slot.objects.create(
            establishment=self.college,
            assignment=assignment,
            weekday=1,
            start_time=dt.time(10),
            end_time=dt.time(11),
            valid_from=self.monday - dt.timedelta(days=30),
        )
        lea_test = self.add_homework(self.five_a, title="Contrôle de Léa")
        teacher_token = actions.issue_feed(actor=self.actor("sophie.bernard", role="teacher"))[1]
        parent_token = actions.issue_feed(actor=self.actor("sophie.bernard", role="guardian"))[1]

        def uids(token):
            response = self.fetch(token)
            self.assertEqual(response.status_code, 200)
            return {e.value("UID") for e in ical.parse(response.content.decode()).walk("VEVENT")}

        as_teacher, as_parent = uids(teacher_token), uids(parent_token)
        self.assertTrue(any(uid.startswith(f"lesson-{slot.pk}-") for uid in as_teacher))
        self.assertIn(f"homework-{lea_test.pk}@cartable", as_parent)

    def test_a_wrong_or_revoked_token_answers_404(self):
        """A made-up token, a revoked one and one replaced by regenerating all answer 404."""
        first = self.issue("lucas.martin")
        self.assertEqual(self.fetch(first).status_code, 200)
        second = self.issue("lucas.martin")  # regenerating kills the first
        self.assertEqual(self.fetch(first).status_code, 404)
        self.assertEqual(self.fetch(second).status_code, 200)
        feed = CalendarFeed.objects.get(revoked_at__isnull=True, user=self.people["lucas.martin"])
        actions.revoke_feed(actor=self.actor("lucas.martin"), feed=feed)
        self.assertEqual(self.fetch(second).status_code, 404)
        self.assertEqual(self.fetch("not-a-token").status_code, 404)
        verbs = list(AuditEvent.objects.filter(verb__startswith="agenda.").values_list("verb", flat=True))
        self.assertEqual(sorted(verbs), ["agenda.issue_feed", "agenda.issue_feed", "agenda.revoke_feed"])

    def test_only_a_hash_of_the_token_is_stored(self):
        """The database holds the token's sha256, never the token."""
        token = self.issue("lucas.martin")
        feed = CalendarFeed.objects.get(user=self.people["lucas.martin"])
        self.assertEqual(feed.token_hash, actions.hash_token(token))
        self.assertNotIn(token, feed.token_hash)
        self.assertGreaterEqual(len(token), 43)

    def test_a_parent_chooses_one_child_or_all(self):
        """claire.martin's feed for Lucas has his test only; her merged feed both children's, named."""
        lucas_test = self.add_homework(self.five_a, title="Contrôle de Lucas")
        emma_test = self.add_homework(self.seconde, title="Contrôle d'Emma")
        only_lucas = ical.parse(self.fetch(self.issue("claire.martin", "lucas.martin")).content.decode())
        uids = {e.value("UID") for e in only_lucas.walk("VEVENT")}
        self.assertIn(f"homework-{lucas_test.pk}@cartable", uids)
        self.assertNotIn(f"homework-{emma_test.pk}@cartable", uids)
        both = ical.parse(self.fetch(self.issue("claire.martin")).content.decode())
        summaries = {e.value("UID"): e.value("SUMMARY") for e in both.walk("VEVENT")}
        self.assertIn("(Emma)", summaries[f"homework-{emma_test.pk}@cartable"])
        self.assertIn("(Lucas)", summaries[f"homework-{lucas_test.pk}@cartable"])

    def test_a_parent_cannot_issue_a_feed_for_someone_elses_child(self):
        """thomas.girard asking a feed for Lucas gets a 404 from the page."""
        self.login("thomas.girard")
        response = self.client.post(reverse("agenda:feeds"), {"child": self.people["lucas.martin"].pk})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(CalendarFeed.objects.exists())

    def test_the_feed_page_shows_the_address_once_and_revokes(self):
        """Issuing shows the secret address; revoking through the page kills it; another person's feed id is
        a 404."""
        self.login("lucas.martin")
        response = self.client.post(reverse("agenda:feeds"))
        url = response.context["token_url"]
        self.assertIn("/agenda/ical/", url)
        self.assertContains(response, url)
        self.assertNotContains(self.client.get(reverse("agenda:feeds")), url)
        feed = CalendarFeed.objects.get(user=self.people["lucas.martin"])
        self.login("claire.martin")
        self.assertEqual(self.client.post(reverse("agenda:feeds"), {"revoke": feed.pk}).status_code, 404)
        self.login("lucas.martin")
        self.client.post(reverse("agenda:feeds"), {"revoke": feed.pk})
        self.client.logout()
        self.assertEqual(self.client.get(url.split("testserver")[-1]).status_code, 404)

    def test_a_password_change_offers_to_revoke_the_feeds_and_does(self):
        """The password page offers, checked, to revoke Lucas's live feed; changing the password with it kills
        the address, says so, and is audited; unchecked, the feed survives the change."""
        from cartable.core.models import AuditEvent

        self.login("lucas.martin")
        url = self.client.post(reverse("agenda:feeds")).context["token_url"].split("testserver")[-1]
        page = self.client.get(reverse("accounts:password_change"))
        self.assertContains(page, "Révoquer aussi le lien d&#x27;abonnement à mon agenda")
        self.assertContains(page, 'name="revoke_agenda_feeds"')
        self.assertTrue(page.context["form"].fields["revoke_agenda_feeds"].initial)
        new = "girafe parapluie cerise"
        form = {"old_password": "demo", "new_password1": new, "new_password2": new}
        response = self.client.post(
            reverse("accounts:password_change"), {**form, "revoke_agenda_feeds": "on"}, follow=True
        )
        self.assertContains(response, "1 lien secret a été révoqué.")
        self.assertEqual(self.client.get(url).status_code, 404)
        event = AuditEvent.objects.get(verb="accounts.password_change")
        self.assertEqual(sum(event.after["revoked"].values()), 1)
        self.assertTrue(AuditEvent.objects.filter(verb="agenda.revoke_all_feeds").exists())
        # Unchecked: the feed is kept, and the page no longer offers anything once none is live.
        self.assertNotContains(self.client.get(reverse("accounts:password_change")), "revoke_agenda_feeds")
        url = self.client.post(reverse("agenda:feeds")).context["token_url"].split("testserver")[-1]
        again = {
            "old_password": new,
            "new_password1": "mercredi orange piano",
            "new_password2": "mercredi orange piano",
        }
        self.client.post(reverse("accounts:password_change"), again)
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_feed_costs_a_fixed_number_of_queries(self):
        """The same number of queries with one or twenty homework, events and lessons."""
        budgets = {"lucas.martin": 9, "claire.martin": 13, "paul.dupont": 10}
        tokens = {who: self.issue(who) for who in budgets}
        self.add_lessons()
        for token in tokens.values():  # the establishments' calendars are cached after the first fetch
            self.fetch(token)
        for rows in (1, 20):
            for _i in range(rows if rows == 1 else rows - 1):
                self.add_homework(self.five_a)
                Event.objects.create(
                    establishment=self.college,
                    audience=Event.Audience.EVERYONE,
                    title="Réunion",
                    start=timezone.now(),
                    end=timezone.now(),
                    owner=self.people["marc.leroy"],
                )
            for who, expected in budgets.items():
                with self.subTest(who=who, rows=rows), self.assertNumQueries(expected):
                    self.assertEqual(self.fetch(tokens[who]).status_code, 200)
