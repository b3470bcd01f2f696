"""The student's week (issue 11): the hand-in deadline and « Déposer » wherever homework appears, « Rendu le »
once handed in (and done), announced tests marked by a word and an icon, « Ma charge » over the coming
seven school days, punishments with work in « Travail à faire », line breaks kept in the log."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.template.defaultfilters import time as time_filter
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cartable.core import dates, registry, richtext
from cartable.directory.models import Guardianship
from cartable.discipline.models import Punishment
from cartable.homework import actions, queries
from cartable.homework.models import Feedback, Homework, LogEntry
from cartable.homework.submissions import actions as submission_actions
from cartable.timetable import queries as timetable_queries
from cartable.timetable.queries import default_monday
from tests.support.homework import SubmissionTestCase
from tests.support.markup import HOSTILE, assert_inert
from tests.support.timetable import build_timetable


def when(moment: dt.datetime) -> str:
    """« mardi 8 décembre à 14:05 », as the pages write a deadline or a hand-in."""
    local = timezone.localtime(moment)
    with translation.override("fr"):
        return f"{dates.date_jour(local)} à {time_filter(local, 'H:i')}"


# The homework page as the student and as a guardian: the session, the person, memberships, classes or
# children, the homework with its files and links, the tick, the hand-in's state (one query, with its feedback).
DETAIL_QUERIES = [9, 9]


class HandInTests(SubmissionTestCase):
    """A maths paper of 5e A to hand in online within two days (Lucas is in 5e A)."""

    def pages(self):
        return {
            "dashboard": reverse("dashboard:home"),
            "todo": reverse("homework:todo"),
            "detail": reverse("homework:detail", args=[self.homework.pk]),
        }

    def test_the_student_sees_the_deadline_and_deposer_everywhere(self):
        """Dashboard, « Travail à faire » and the homework page give the day and hour, and a « Déposer » link."""
        deadline = f"déposer avant le {when(self.homework.submission_deadline)}"
        handin = reverse("homework:submissions:student", args=[self.homework.pk])
        self.login("lucas.martin")
        for name, url in self.pages().items():
            with self.subTest(page=name):
                page = self.client.get(url).content.decode()
                self.assertIn(deadline, page.replace("À déposer", "à déposer"))
                self.assertIn(f'<a class="button" href="{handin}">Déposer', page)

    def test_the_guardian_sees_the_deadline_without_deposer(self):
        """claire.martin (Lucas's mother) reads the deadline; handing in is the student's."""
        deadline = f"déposer avant le {when(self.homework.submission_deadline)}"
        self.login("claire.martin")
        for name, url in self.pages().items():
            with self.subTest(page=name):
                page = self.client.get(url).content.decode()
                self.assertIn(deadline, page.replace("À déposer", "à déposer"))
                self.assertNotIn('class="button" href="/cahier-de-textes/devoir/', page)

    def test_once_handed_in_the_item_says_rendu_le_and_counts_as_done(self):
        """After the hand-in: « Rendu le … » with day and hour on the dashboard, the list and the page, no
        « Marquer comme fait » for it, and it is done for the plan, the reminders and the guardian."""
        submission = self.lucas_submission()
        handed = f"Rendu le {when(submission.submitted_at)}"
        self.login("lucas.martin")
        for name, url in self.pages().items():
            with self.subTest(page=name):
                page = self.client.get(url).content.decode()
                self.assertIn(handed, page)
                self.assertNotIn(">Déposer<", page)
        todo = self.client.get(reverse("homework:todo")).content.decode()
        item = todo.split(f'id="homework-{self.homework.pk}"')[1].split("</li>")[0]
        self.assertNotIn("Marquer comme fait", item)
        lucas = self.people["lucas.martin"]
        self.assertEqual(queries.done_pairs([self.homework.pk], [lucas.pk]), {(self.homework.pk, lucas.pk)})
        due = dict(queries.undone_due_on(self.homework.due_date))
        self.assertNotIn(lucas.pk, due[self.homework])
        week = queries.student_week(self.actor("lucas.martin"), default_monday(), today=timezone.localdate())
        self.assertNotIn(self.homework.title, [w.title for d in week["plan"].days for w in d.chunks])
        self.login("claire.martin")
        for url in (reverse("homework:todo"), reverse("homework:todo") + "?enfants=tous"):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), f"Lucas : rendu le {when(submission.submitted_at)}")

    def test_the_homework_page_says_the_state_of_the_hand_in(self):
        """Not handed in; handed in on (late or not); feedback returned: the page says which."""
        url = reverse("homework:detail", args=[self.homework.pk])
        self.login("lucas.martin")
        self.assertContains(self.client.get(url), "Pas encore rendu")
        submission = self.lucas_submission()
        page = self.client.get(url)
        self.assertContains(page, f"Rendu le {when(submission.submitted_at)}")
        self.assertNotContains(page, "en retard")
        submission.is_late = True
        submission.save(update_fields=["is_late"])
        self.assertContains(self.client.get(url), "<strong>en retard</strong>", html=False)
        submission_actions.return_feedback(
            actor=self.actor("paul.dupont"),
            submission=submission,
            text="Bien",
            mark=None,
            mark_out_of=20,
            corrected=None,
        )
        returned = Feedback.objects.get(submission=submission).returned_at
        with translation.override("fr"):
            day = dates.date_jour(timezone.localtime(returned))
        self.assertContains(self.client.get(url), f"retour du professeur le {day}")

    def test_the_homework_page_costs_a_fixed_number_of_queries(self):
        """The hand-in's state is one query, whether handed in, with files or feedback, or not."""
        url = reverse("homework:detail", args=[self.homework.pk])
        counts = []
        for username in ("lucas.martin", "claire.martin"):
            self.login(username)
            self.client.get(url)
            with CaptureQueriesContext(connection) as before:
                self.client.get(url)
            counts.append(len(before))
        self.assertEqual(counts, DETAIL_QUERIES)
        submission = self.lucas_submission()
        submission_actions.return_feedback(
            actor=self.actor("paul.dupont"),
            submission=submission,
            text="Bien",
            mark=None,
            mark_out_of=20,
            corrected=None,
        )
        for username, expected in zip(("lucas.martin", "claire.martin"), DETAIL_QUERIES, strict=True):
            self.login(username)
            self.client.get(url)
            with self.subTest(who=username), self.assertNumQueries(expected):
                self.assertContains(self.client.get(url), "retour du professeur le")

    def test_a_missed_deadline_says_so(self):
        """Past the deadline without a hand-in, the page says the date is past."""
        late = self.make_homework(deadline=-dt.timedelta(hours=2), title="Exposé en retard")
        self.login("lucas.martin")
        page = self.client.get(reverse("homework:detail", args=[late.pk]))
        self.assertContains(page, "Pas encore rendu")
        self.assertContains(page, "la date limite est passée")


class TestsStandOutTests(SubmissionTestCase):
    """An announced test carries the word « Contrôle » and an icon wherever it appears; an exercise does not."""

    MARK = '<strong class="kind-test"><svg class="kind-icon"'

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        now = timezone.now()
        monday = default_monday()
        cls.test = Homework.objects.create(
            establishment=cls.maths.establishment,
            assignment=cls.maths,
            kind=Homework.Kind.TEST,
            title="Contrôle de géométrie",
            due_date=max(timezone.localdate() + dt.timedelta(days=1), monday),
            estimated_minutes=55,
            published_at=now - dt.timedelta(days=1),
            author=cls.people["paul.dupont"],
        )

    def test_the_test_is_marked_in_lists_widget_log_and_workload(self):
        five_a = self.maths.school_class
        pages = {
            "lucas.martin": [
                reverse("dashboard:home"),
                reverse("homework:todo"),
                reverse("homework:detail", args=[self.test.pk]),
                reverse("homework:workload_mine") + f"?semaine={self.test.due_date.isoformat()}",
                reverse("homework:workload_class", args=[five_a.pk]) + f"?semaine={self.test.due_date.isoformat()}",
            ],
            "claire.martin": [reverse("homework:todo"), reverse("homework:todo") + "?enfants=tous"],
        }
        for username, urls in pages.items():
            self.login(username)
            for url in urls:
                with self.subTest(who=username, url=url):
                    page = self.client.get(url).content.decode()
                    self.assertIn(self.MARK, page)
                    self.assertIn('aria-hidden="true" focusable="false"', page)
                    self.assertIn("</svg>Contrôle</strong>", page)

    def test_the_agenda_marks_the_test_with_the_icon(self):
        self.login("lucas.martin")
        page = self.client.get(reverse("agenda:list")).content.decode()
        self.assertIn('<span class="agenda-kind"><svg class="kind-icon"', page)
        self.assertIn("</svg>Contrôle</span>", page)

    def test_an_exercise_is_not_marked(self):
        self.test.delete()
        self.login("lucas.martin")
        self.assertNotContains(self.client.get(reverse("homework:todo")), self.MARK)


def next_school_days(start: dt.date, count: int, closed: frozenset[dt.date] = frozenset()) -> list[dt.date]:
    """The test's own count of school days (Monday to Friday, ``closed`` skipped), from ``start`` included."""
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5 and day not in closed:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


class WorkloadWidgetTests(SubmissionTestCase):
    """« Ma charge » on the dashboard covers the coming seven school days, not only the current week."""

    def three_tests_on(self, day: dt.date) -> None:
        for n, subject in enumerate(("Géométrie", "Fractions", "Proportionnalité")):
            Homework.objects.create(
                establishment=self.maths.establishment,
                assignment=self.maths,
                kind=Homework.Kind.TEST,
                title=f"Contrôle {subject}",
                due_date=day,
                estimated_minutes=50,
                published_at=timezone.now() - dt.timedelta(days=1 + n),
                author=self.people["paul.dupont"],
            )

    def widget(self) -> str:
        self.login("lucas.martin")
        page = self.client.get(reverse("dashboard:home")).content.decode()
        return page.split("Ma charge des prochains jours")[1].split("Ma semaine et mon plan de travail")[0]

    def test_the_seventh_school_day_ahead_is_shown_with_its_tests_over_the_threshold(self):
        """Whatever today is, the seventh school day ahead lies past the current week: its three tests
        (150 min) show, over the threshold, with the word and the mark."""
        days = next_school_days(timezone.localdate(), 7)
        self.three_tests_on(days[-1])
        with translation.override("fr"):
            label = dates.date_jour(days[-1])
        widget = self.widget()
        self.assertEqual(widget.count('<li class="load-'), 7)
        row = widget.split(f"<strong>{label}</strong>")[1].split("</li>")[0]
        self.assertIn("150 minutes", row)
        self.assertIn("</svg>3 contrôles</strong>", row)
        self.assertIn("Au-delà du seuil", row)

    def test_on_a_wednesday_next_tuesdays_tests_are_visible(self):
        """The issue's case: on Wednesday, next Tuesday's three tests are in the widget."""
        from unittest import mock

        wednesday = default_monday() + dt.timedelta(days=2)
        tuesday = wednesday + dt.timedelta(days=6)
        self.three_tests_on(tuesday)
        with mock.patch("django.utils.timezone.localdate", return_value=wednesday):
            widget = self.widget()
        with translation.override("fr"):
            self.assertIn(f"<strong>{dates.date_jour(tuesday)}</strong>", widget)
        self.assertIn("150 minutes", widget)

    def test_weekends_and_non_school_days_are_skipped(self):
        """A non-school day of the timetable is not one of the seven days; the seven are all weekdays."""
        from cartable.timetable import actions as timetable_actions

        today = timezone.localdate()
        closed = next_school_days(today, 2)[1]
        timetable_actions.add_non_school_day(
            actor=self.actor("marc.leroy"),
            establishment=self.maths.establishment,
            start_date=closed,
            end_date=closed,
            label="Pont",
        )
        expected = next_school_days(today, 7, frozenset({closed}))
        self.assertEqual(queries.coming_school_days(self.actor("lucas.martin")), expected)
        widget = self.widget()
        with translation.override("fr"):
            self.assertNotIn(f"<strong>{dates.date_jour(closed)}</strong>", widget)
            for day in expected:
                self.assertIn(f"<strong>{dates.date_jour(day)}</strong>", widget)


class TypedTextTests(SubmissionTestCase):
    """Teachers type text, not HTML: line breaks, paragraphs and lists are kept; hostile markup stays inert."""

    TYPED = "Lire le chapitre 3.\nRépondre aux questions :\n\n- question 1\n- question **2**\n\n" + "\n".join(HOSTILE)

    def test_the_log_and_the_instructions_keep_line_breaks_and_lists_and_stay_inert(self):
        self.login("paul.dupont")
        today = timezone.localdate()
        response = self.client.post(
            reverse("homework:entry_new"),
            {"assignment": self.maths.pk, "date": today.isoformat(), "title": "Fractions", "content": self.TYPED},
        )
        entry = LogEntry.objects.get(title="Fractions")
        self.assertRedirects(response, reverse("homework:entry", args=[entry.pk]))
        response = self.client.post(
            reverse("homework:homework_edit", args=[self.homework.pk]),
            {
                "assignment": self.maths.pk,
                "kind": "hand_in",
                "title": self.homework.title,
                "instructions": self.TYPED,
                "due_date": self.homework.due_date.isoformat(),
                "estimated_minutes": 30,
                "accepts_submissions": "on",
                "submission_deadline": timezone.localtime(self.homework.submission_deadline).strftime("%Y-%m-%dT%H:%M"),
                "late_policy": "accept",
                "confirm": "1",
            },
        )
        self.assertEqual(response.status_code, 302, response.content.decode()[-3000:])
        kept = (
            "<p>Lire le chapitre 3.<br>Répondre aux questions :</p>"
            "<ul><li>question 1</li><li>question <strong>2</strong></li></ul>"
        )
        pages = {
            "lucas.martin": [
                reverse("homework:class_log", args=[self.maths.school_class_id]),
                reverse("homework:detail", args=[self.homework.pk]),
                reverse("homework:submissions:student", args=[self.homework.pk]),
            ]
        }
        for username, urls in pages.items():
            self.login(username)
            for url in urls:
                with self.subTest(url=url):
                    page = self.client.get(url).content.decode()
                    self.assertIn(kept, page)
                    self.assertIn("&lt;script&gt;", page)  # shown as typed
                    assert_inert(self, page)
        self.login("paul.dupont")
        form = self.client.get(reverse("homework:homework_edit", args=[self.homework.pk])).content.decode()
        self.assertIn("Répondre aux questions :\n\n- question 1\n- question **2**", form)  # back as typed

    def test_text_round_trips_through_the_edit_form(self):
        """What ``to_editable`` gives back makes the same HTML again; old HTML becomes text to edit."""
        html = richtext.from_text(self.TYPED + "\n\n1. un\n2. deux\nVoir https://example.org/a?b=1&c=2.")
        self.assertEqual(richtext.from_text(richtext.to_editable(html)), html)
        self.assertIn('<a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">', html)
        self.assertEqual(richtext.to_editable("<p>Cours</p><ul><li>Rappel</li></ul>"), "Cours\n\n- Rappel")


class PunishmentWorkTests(SubmissionTestCase):
    """A « devoir supplémentaire » with a due date shows in « Travail à faire », as a punishment, for the
    student and the guardians the discipline app lets see it (composition: core.registry.TodoSource)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        college = cls.school.college.establishment
        cls.due = today + dt.timedelta(days=3)

        def punish(kind, **kw):
            return Punishment.objects.create(
                establishment=college,
                student=cls.people["lucas.martin"],
                kind=kind,
                reason="Bavardages répétés",
                given_by=cls.people["sophie.bernard"],
                given_on=today,
                **kw,
            )

        cls.work = punish(Punishment.Kind.EXTRA_WORK, due_on=cls.due)
        cls.detention = punish(Punishment.Kind.DETENTION, detention_at=timezone.now() + dt.timedelta(days=2))

    def item(self, page: str) -> str:
        anchor = f'id="todo-discipline-punishment-{self.work.pk}"'
        self.assertIn(anchor, page)
        return page.split(anchor)[1].split("</li>")[0]

    def test_the_student_sees_the_punishment_on_its_day_linking_to_it(self):
        self.login("lucas.martin")
        page = self.client.get(reverse("homework:todo")).content.decode()
        item = self.item(page)
        self.assertIn("</svg>Punition</strong>", item)
        self.assertIn(
            f'<a href="{reverse("discipline:punishment", args=[self.work.pk])}">Devoir supplémentaire</a>', item
        )
        self.assertIn("à faire", item)
        with translation.override("fr"):
            heading = f"Pour le {dates.date_jour(self.due)}"
        self.assertLess(page.index(heading), page.index(f"todo-discipline-punishment-{self.work.pk}"))
        self.assertNotIn("Retenue", page)  # a punishment without work to do is not « à faire »
        self.assertEqual(self.client.get(reverse("discipline:punishment", args=[self.work.pk])).status_code, 200)

    def test_a_legal_guardian_sees_it_one_child_at_a_time_and_merged(self):
        self.login("claire.martin")
        self.item(self.client.get(reverse("homework:todo")).content.decode())
        merged = self.item(self.client.get(reverse("homework:todo") + "?enfants=tous").content.decode())
        self.assertIn("Lucas : à faire", merged)

    def test_a_guardian_without_legal_responsibility_sees_no_punishment(self):
        Guardianship.objects.filter(guardian=self.people["claire.martin"], student=self.people["lucas.martin"]).update(
            legal_responsibility=False
        )
        self.login("claire.martin")
        for url in (reverse("homework:todo"), reverse("homework:todo") + "?enfants=tous"):
            with self.subTest(url=url):
                page = self.client.get(url).content.decode()
                self.assertNotIn("todo-discipline-punishment", page)
                self.assertIn(self.homework.title, page)  # homework stays open to her

    def test_nothing_when_the_discipline_module_is_off(self):
        college = self.school.college.establishment
        college.module_settings = {**college.module_settings, "discipline": False}
        college.save(update_fields=["module_settings"])
        self.login("lucas.martin")
        self.assertNotContains(self.client.get(reverse("homework:todo")), "todo-discipline-punishment")

    def test_the_page_costs_the_same_with_one_or_many_punishments(self):
        """« Travail à faire » keeps its query count whatever the number of punishments (one query for them)."""
        self.login("lucas.martin")
        url = reverse("homework:todo")
        self.client.get(url)
        with CaptureQueriesContext(connection) as first:
            self.client.get(url)
        for n in range(5):
            Punishment.objects.create(
                establishment=self.work.establishment,
                student=self.work.student,
                kind=Punishment.Kind.EXTRA_WORK,
                reason=f"Oubli {n}",
                given_by=self.work.given_by,
                given_on=self.work.given_on,
                due_on=self.due + dt.timedelta(days=n),
            )
        with self.assertNumQueries(len(first)):
            page = self.client.get(url).content.decode()
        self.assertEqual(page.count("</svg>Punition</strong>"), 6)


LOG_TO_FILL_QUERIES = 3  # the lessons' slots and changes (the calendar cached), the week's entries


class TeacherDashboardTests(SubmissionTestCase):
    """paul.dupont's dashboard: « Copies à corriger » and « Cahier de textes à remplir », on top."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.tt = build_timetable(cls.school)

    def setUp(self):
        cache.clear()  # cached widgets must not outlive a test

    def dashboard(self, username="paul.dupont") -> str:
        self.login(username)
        return self.client.get(reverse("dashboard:home")).content.decode()

    def widget(self, page: str, title: str) -> str:
        self.assertIn(title, page)
        return page.split(title)[1].split("</section>")[0]

    def this_weeks_lessons(self):
        today = timezone.localdate()
        monday = timetable_queries.monday_of(today)
        return [
            lesson
            for lesson in timetable_queries.lessons(
                establishment_id=self.maths.establishment_id,
                start=monday,
                end=today,
                assignments=timetable_queries.assignments_of_teacher(self.people["paul.dupont"].pk),
            )
            if not lesson.is_cancelled
        ]

    def test_hand_ins_waiting_for_feedback_are_listed_with_counts_and_links(self):
        self.assertIn("Aucune copie en attente de correction.", self.dashboard())
        submission = self.lucas_submission()
        widget = self.widget(self.dashboard(), "Copies à corriger")
        self.assertIn("1 copie reçue attend votre retour.", widget)
        self.assertIn(f'href="{reverse("homework:submissions:list", args=[self.homework.pk])}"', widget)
        self.assertIn("1 à corriger", widget)
        submission_actions.return_feedback(
            actor=self.actor("paul.dupont"),
            submission=submission,
            text="Bien",
            mark=None,
            mark_out_of=20,
            corrected=None,
        )
        self.assertIn("Aucune copie en attente de correction.", self.widget(self.dashboard(), "Copies à corriger"))
        self.assertNotIn("Copies à corriger", self.dashboard("lucas.martin"))

    def test_this_weeks_lessons_without_an_entry_link_to_the_entry_form(self):
        lessons = self.this_weeks_lessons()
        widget = self.widget(self.dashboard(), "Cahier de textes à remplir")
        self.assertTrue(lessons)  # Monday's maths at least: this week from Monday to today, today's included
        first = lessons[0]
        self.assertEqual(widget.count("Remplir la séance du"), len(lessons))
        self.assertIn(f"cle={first.key.replace(':', '%3A')}", widget)
        actions.save_log_entry(
            actor=self.actor("paul.dupont"),
            assignment=first.assignment,
            date=first.date,
            title="Fractions",
            lesson_key=first.key,
        )
        widget = self.widget(self.dashboard(), "Cahier de textes à remplir")
        self.assertEqual(widget.count("Remplir la séance du"), len(lessons) - 1)
        self.assertNotIn(f"cle={first.key.replace(':', '%3A')}", widget)
        self.assertNotIn("Cahier de textes à remplir", self.dashboard("lucas.martin"))

    def test_the_widgets_come_first_for_a_teacher(self):
        """A teacher's day leads: the hand-ins to correct, the roll calls, then the log to fill."""
        paul = self.actor("paul.dupont")
        keys = [w.key for w in registry.visible_items(registry.widgets(paul), paul, {})]
        self.assertEqual(keys[:3], ["homework.to_correct", "attendance.awaiting", "homework.log_to_fill"])

    def test_each_widget_costs_a_fixed_number_of_queries(self):
        """« Copies à corriger »: one query; « Cahier de textes à remplir »: the timetable's (calendar cached)
        and one — with one hand-in or many, one lesson filled or none. Cached a minute on the dashboard."""
        widgets = {w.key: w for w in registry.widgets()}
        paul = self.actor("paul.dupont")
        paul.memberships  # noqa: B018  (the actor's own queries, paid by every page)
        timetable_queries.school_days(paul.establishment_id, timezone.localdate(), 1)  # the calendar, cached
        with self.assertNumQueries(1):
            widgets["homework.to_correct"].context(paul)
        with CaptureQueriesContext(connection) as log:
            widgets["homework.log_to_fill"].context(paul)
        self.assertEqual(len(log), LOG_TO_FILL_QUERIES)
        self.lucas_submission()
        for n in range(3):
            self.make_homework(title=f"Exposé {n}")
        lessons = self.this_weeks_lessons()
        for lesson in lessons[:1]:
            actions.save_log_entry(
                actor=paul, assignment=lesson.assignment, date=lesson.date, title="Vu", lesson_key=lesson.key
            )
        paul = self.actor("paul.dupont")
        paul.memberships  # noqa: B018
        with self.assertNumQueries(1):
            self.assertEqual(widgets["homework.to_correct"].context(paul)["total"], 1)
        with self.assertNumQueries(len(log)):
            widgets["homework.log_to_fill"].context(paul)
