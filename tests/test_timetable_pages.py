"""The timetable's pages: each person's own week, navigation, the staff's edits, notices, query budgets."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cartable.core.dates import date_court
from cartable.core.models import AuditEvent, Notification
from cartable.directory.models import Group
from cartable.timetable.models import LessonChange, NonSchoolDay, Slot, TimetableSettings
from tests.support.timetable import MONDAY_A, MONDAY_B, T, TimetableCase, iso_week


class WeekPageTests(TimetableCase):
    def page(self, username, url=None, **params):
        self.login(username)
        response = self.client.get(url or reverse("timetable:home"), params)
        return response

    def test_each_person_lands_on_their_own_week(self):
        """A student's week, a guardian's child's, a teacher's; staff get the chooser."""
        for username, title, present in [
            ("lucas.martin", "Mon emploi du temps", "Latin 5e"),
            ("claire.martin", "Emploi du temps de Lucas", "Latin 5e"),
            ("paul.dupont", "Mon emploi du temps", "Mathématiques"),
            ("marc.leroy", "Emplois du temps", "5e A"),
            ("nadia.petit", "Emplois du temps", "B12"),
        ]:
            with self.subTest(username=username):
                response = self.page(username, lundi=MONDAY_A.isoformat())
                self.assertContains(response, title)
                self.assertContains(response, present)

    def test_the_week_page_shows_changes_in_words_and_the_week_label(self):
        """Changes read as text; the A/B label and non-school days are shown."""
        LessonChange.objects.create(
            establishment=self.college, slot=self.tt["math_monday"], date=MONDAY_A, kind=LessonChange.Kind.CANCELLED
        )
        LessonChange.objects.create(
            establishment=self.college,
            slot=self.tt["french_tuesday"],
            date=MONDAY_A + dt.timedelta(days=1),
            kind=LessonChange.Kind.ROOM,
            room=self.tt["b12"],
        )
        thursday = MONDAY_A + dt.timedelta(days=3)
        NonSchoolDay.objects.create(
            establishment=self.college, label="Journée pédagogique", start_date=thursday, end_date=thursday
        )
        response = self.page("lucas.martin", semaine=iso_week(MONDAY_A))
        self.assertContains(response, "Annulé")
        self.assertContains(response, "Salle modifiée : C3 → B12")
        self.assertContains(response, "semaine A")
        self.assertContains(response, "Pas de cours : Journée pédagogique")
        friday = MONDAY_A + dt.timedelta(days=4)
        with translation.override("fr"):
            title = f"Semaine du {date_court(MONDAY_A)} au {date_court(friday)}"
        self.assertContains(response, title)
        self.assertContains(response, f"?semaine={iso_week(MONDAY_A - dt.timedelta(days=7))}")
        self.assertContains(response, f"?semaine={iso_week(MONDAY_B)}")

    def test_week_navigation_reads_iso_weeks_mondays_and_refuses_nonsense_politely(self):
        """?semaine= and ?lundi= choose the week; a bad value shows the current week with a message."""
        self.assertContains(self.page("lucas.martin", semaine=iso_week(MONDAY_B)), "semaine B")
        self.assertContains(self.page("lucas.martin", lundi=(MONDAY_B + dt.timedelta(days=2)).isoformat()), "semaine B")
        response = self.page("lucas.martin", semaine="n'importe quoi")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Semaine non reconnue")

    def test_htmx_navigation_gets_only_the_grid(self):
        """The same view serves the page and its grid fragment."""
        self.login("lucas.martin")
        response = self.client.get(
            reverse("timetable:home"), {"semaine": iso_week(MONDAY_A)}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        self.assertIn('id="week"', html)
        self.assertNotIn("<html", html)

    def test_pages_answer_404_to_those_who_may_not_see_them(self):
        """Class, group, teacher, room and student weeks: the same 404 for strangers and missing rows."""
        latin = Group.objects.get(name="Latin 5e")
        urls = {
            "class": reverse("timetable:class", args=[self.five_a.pk]),
            "group": reverse("timetable:group", args=[latin.pk]),
            "teacher": reverse("timetable:teacher", args=[self.people["paul.dupont"].pk]),
            "room": reverse("timetable:room", args=[self.tt["b12"].pk]),
            "student": reverse("timetable:student", args=[self.people["lucas.martin"].pk]),
            "chooser": reverse("timetable:chooser"),
            "settings": reverse("timetable:settings"),
            "import": reverse("timetable:import"),
            "change": reverse("timetable:change_lesson", args=[self.tt["math_monday"].pk, MONDAY_A.isoformat()]),
        }
        expected = {
            "lucas.martin": {"class": 200, "group": 200, "student": 200},
            "thomas.girard": {},
            "charlie.roux": {"chooser": 200},
            "paul.dupont": {"class": 200, "group": 200, "teacher": 200, "room": 200, "student": 200, "chooser": 200},
            "marc.leroy": dict.fromkeys(urls, 200),
        }
        for username, allowed in expected.items():
            self.login(username)
            for name, url in urls.items():
                with self.subTest(username=username, page=name):
                    self.assertEqual(self.client.get(url).status_code, allowed.get(name, 404))
        self.login("marc.leroy")
        self.assertEqual(self.client.get(reverse("timetable:class", args=[999999])).status_code, 404)

    def test_a_guardian_sees_a_child_in_another_establishment(self):
        """claire.martin, acting at the collège, opens Emma's week at the lycée."""
        response = self.page(
            "claire.martin",
            reverse("timetable:student", args=[self.people["emma.martin"].pk]),
            lundi=MONDAY_A.isoformat(),
        )
        self.assertContains(response, "2nde GT 1")

    def test_the_module_switch_hides_the_pages(self):
        """With the timetable module off, its pages answer 404."""
        self.college.module_settings = {"timetable": False}
        self.college.save()
        self.assertEqual(self.page("lucas.martin").status_code, 404)

    def test_query_budgets_do_not_grow_with_the_data(self):
        """Each week page costs a pinned number of queries, the same with ten times more lessons and changes
        (the establishment's non-school days and A-week reference are cached after the first page)."""
        latin = Group.objects.get(name="Latin 5e")
        pages = [
            ("lucas.martin", reverse("timetable:home"), 5),
            ("claire.martin", reverse("timetable:home"), 7),
            ("paul.dupont", reverse("timetable:home"), 5),
            ("marc.leroy", reverse("timetable:class", args=[self.five_a.pk]), 6),
            ("marc.leroy", reverse("timetable:group", args=[latin.pk]), 6),
            ("marc.leroy", reverse("timetable:teacher", args=[self.people["paul.dupont"].pk]), 6),
            ("marc.leroy", reverse("timetable:room", args=[self.tt["b12"].pk]), 6),
            ("marc.leroy", reverse("timetable:student", args=[self.people["lucas.martin"].pk]), 7),
            ("marc.leroy", reverse("timetable:chooser"), 7),
        ]

        def measure():
            counts = {}
            for username, url, _expected in pages:
                self.login(username)
                self.client.get(url, {"semaine": iso_week(MONDAY_A)})  # the session is warm
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url, {"semaine": iso_week(MONDAY_A)}).status_code, 200)
                counts[(username, url)] = len(queries)
            return counts

        self.maxDiff = None
        before = measure()
        self.assertEqual(before, {(username, url): expected for username, url, expected in pages})
        start = self.school.college.year.start_date
        Slot.objects.bulk_create(
            Slot(
                establishment=self.college,
                assignment=self.tt[name],
                weekday=i % 5,
                start_time=T(7 + i % 10),
                end_time=T(8 + i % 10),
                room=self.tt["b12"],
                valid_from=start,
            )
            for i in range(60)
            for name in ("math", "french", "latin")
        )
        for slot in Slot.objects.filter(establishment=self.college)[:40]:
            LessonChange.objects.get_or_create(
                establishment=self.college, slot=slot, date=MONDAY_A + dt.timedelta(days=slot.weekday), kind="cancelled"
            )
        self.assertEqual(measure(), before)


class EditPageTests(TimetableCase):
    def next_date(self, weekday: int) -> dt.date:
        """The next date (from tomorrow) falling on ``weekday``: within the seven days of notices."""
        day = timezone.localdate() + dt.timedelta(days=1)
        while day.weekday() != weekday:
            day += dt.timedelta(days=1)
        return day

    def test_staff_cancel_a_lesson_and_the_class_and_families_are_told(self):
        """The CPE cancels Monday's maths: audited, shown, and 5e A's students and guardians are notified."""
        day = self.next_date(0)
        self.login("nadia.petit")
        url = reverse("timetable:change_lesson", args=[self.tt["math_monday"].pk, day.isoformat()])
        self.assertContains(self.client.get(url), "Modifier un cours")
        response = self.client.post(url, {"kind": "cancelled", "note": "Conseil de classe"})
        self.assertEqual(response.status_code, 302)
        change = LessonChange.objects.get(slot=self.tt["math_monday"], date=day)
        self.assertEqual(change.kind, "cancelled")
        self.assertTrue(AuditEvent.objects.filter(verb="timetable.change_lesson", target_id=str(change.pk)).exists())
        told = set(Notification.objects.filter(kind="timetable.change").values_list("recipient__username", flat=True))
        self.assertEqual(told, {"lucas.martin", "lea.bernard", "zoe.fontaine", "claire.martin", "sophie.bernard"})
        self.assertIn(
            "Cours annulé : Mathématiques", Notification.objects.filter(kind="timetable.change").first().title
        )
        self.login("lucas.martin")
        self.assertContains(self.client.get(reverse("timetable:home"), {"lundi": day.isoformat()}), "Annulé")

    def test_a_change_far_ahead_tells_nobody(self):
        """Changes beyond the next seven days are not announced."""
        day = self.next_date(0) + dt.timedelta(days=14)
        self.login("marc.leroy")
        url = reverse("timetable:change_lesson", args=[self.tt["math_monday"].pk, day.isoformat()])
        self.client.post(url, {"kind": "room", "room": self.tt["c3"].pk})
        self.assertEqual(LessonChange.objects.get(date=day).room, self.tt["c3"])
        self.assertFalse(Notification.objects.filter(kind="timetable.change").exists())

    def test_substitute_and_undo(self):
        """A substitute is recorded then undone: the lesson takes place as planned again."""
        day = self.next_date(1)
        self.login("julie.moreau")
        url = reverse("timetable:change_lesson", args=[self.tt["french_tuesday"].pk, day.isoformat()])
        self.client.post(url, {"kind": "substitute", "substitute": self.people["paul.dupont"].pk})
        change = LessonChange.objects.get(date=day)
        self.assertEqual(change.substitute, self.people["paul.dupont"])
        self.client.post(reverse("timetable:remove_change", args=[change.pk]))
        self.assertFalse(LessonChange.objects.filter(pk=change.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="timetable.remove_change").exists())

    def test_bad_changes_are_refused_with_a_message_and_nothing_lost(self):
        """A room change without a room, a non-teacher substitute, a date without the lesson: clear messages."""
        day = self.next_date(0)
        self.login("marc.leroy")
        url = reverse("timetable:change_lesson", args=[self.tt["math_monday"].pk, day.isoformat()])
        response = self.client.post(url, {"kind": "room", "note": "à garder"})
        self.assertContains(response, "Choisissez la nouvelle salle.")
        self.assertContains(response, "à garder")
        response = self.client.post(url, {"kind": "substitute", "substitute": self.people["lucas.martin"].pk})
        self.assertEqual(response.status_code, 200)
        closed = NonSchoolDay.objects.create(establishment=self.college, label="Pont", start_date=day, end_date=day)
        self.assertContains(self.client.post(url, {"kind": "cancelled"}), "Ce cours n&#x27;a pas lieu à cette date.")
        closed.delete()
        wrong_day = reverse(
            "timetable:change_lesson", args=[self.tt["math_monday"].pk, (day + dt.timedelta(days=1)).isoformat()]
        )
        self.assertEqual(self.client.get(wrong_day).status_code, 404)
        self.assertFalse(LessonChange.objects.exists())

    def test_teachers_and_families_cannot_change_lessons(self):
        """Only managers change the timetable: others get a 404 and nothing changes."""
        day = self.next_date(0)
        url = reverse("timetable:change_lesson", args=[self.tt["math_monday"].pk, day.isoformat()])
        for username in ["paul.dupont", "lucas.martin", "claire.martin", "charlie.roux"]:
            with self.subTest(username=username):
                self.login(username)
                self.assertEqual(self.client.post(url, {"kind": "cancelled"}).status_code, 404)
        self.assertFalse(LessonChange.objects.exists())

    def test_staff_add_an_exceptional_lesson(self):
        """An exceptional lesson is added from the class's week, shown and announced."""
        day = self.next_date(2)
        self.login("marc.leroy")
        url = reverse("timetable:exceptional") + f"?classe={self.five_a.pk}"
        self.assertContains(self.client.get(url), "Mathématiques — 5e A")
        response = self.client.post(
            url,
            {
                "assignment": self.tt["math"].pk,
                "date": day.isoformat(),
                "start_time": "14:00",
                "end_time": "15:00",
                "room": self.tt["c3"].pk,
            },
        )
        self.assertEqual(response.status_code, 302)
        change = LessonChange.objects.get(kind="exceptional")
        self.assertEqual((change.date, change.start_time), (day, T(14)))
        self.assertTrue(
            Notification.objects.filter(kind="timetable.change", recipient=self.people["lucas.martin"]).exists()
        )
        response = self.client.post(
            url, {"assignment": self.tt["math"].pk, "date": day.isoformat(), "start_time": "15:00", "end_time": "14:00"}
        )
        self.assertContains(response, "L&#x27;heure de fin doit suivre l&#x27;heure de début.")

    def test_staff_manage_non_school_days_and_the_a_week(self):
        """Days off are added and removed, the A week chosen; each write audited."""
        self.login("marc.leroy")
        url = reverse("timetable:settings")
        year = self.school.college.year.start_date.year  # Christmas of the current school year
        self.client.post(
            url,
            {
                "form": "day",
                "label": "Vacances de Noël",
                "start_date": f"{year}-12-19",
                "end_date": f"{year + 1}-01-03",
            },
        )
        day = NonSchoolDay.objects.get(label="Vacances de Noël")
        self.assertContains(self.client.get(url), "Vacances de Noël")
        response = self.client.post(
            url, {"form": "day", "label": "Inversé", "start_date": f"{year}-12-19", "end_date": f"{year}-12-01"}
        )
        self.assertContains(response, "La date de fin doit suivre la date de début.")
        self.client.post(url, {"form": "week", "week_a_monday": MONDAY_B.isoformat()})
        self.assertEqual(TimetableSettings.objects.get(establishment=self.college).week_a_monday, MONDAY_B)
        self.client.post(reverse("timetable:remove_non_school_day", args=[day.pk]))
        self.assertFalse(NonSchoolDay.objects.filter(pk=day.pk).exists())
        verbs = set(AuditEvent.objects.filter(verb__startswith="timetable.").values_list("verb", flat=True))
        self.assertEqual(
            verbs, {"timetable.add_non_school_day", "timetable.set_week_a", "timetable.remove_non_school_day"}
        )

    def test_the_today_widget_shows_todays_lessons(self):
        """The dashboard's "Aujourd'hui" lists a student's lessons of the day with their changes."""
        today = timezone.localdate()
        if today.weekday() == 6:
            today -= dt.timedelta(days=1)  # no lesson on Sundays: check the widget's day the day before
        slot = Slot.objects.create(
            establishment=self.college,
            assignment=self.tt["math"],
            weekday=today.weekday(),
            start_time=T(7),
            end_time=T(7, 50),
            room=self.tt["c3"],
            valid_from=self.school.college.year.start_date,
        )
        LessonChange.objects.create(establishment=self.college, slot=slot, date=today, kind="room", room=self.tt["b12"])
        self.login("lucas.martin")
        response = self.client.get(reverse("dashboard:home"))
        self.assertContains(response, "Aujourd&#x27;hui")
        if today == timezone.localdate():
            self.assertContains(response, "Salle modifiée : C3 → B12")
