"""The homework log: who sees a class's log and homework, audited writes, sanitized rich text, the pages
and their query budgets, and the notices to students and families."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent, Notification
from cartable.directory.models import Role, TeachingAssignment
from cartable.homework import actions, queries
from cartable.homework.models import Homework, HomeworkDone, LogEntry
from cartable.timetable.models import Slot
from tests.support.personas import PersonaTestCase

HOSTILE = [
    '<p>Bien</p><script>alert("x")</script>',
    '<p onclick="steal()">Cliquer</p><img src=x onerror="steal()">',
    '<a href="javascript:alert(1)">lien</a>',
    '<iframe src="https://evil.example"></iframe><p style="color:red">texte</p>',
]


class HomeworkTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        p = cls.people
        five_a = cls.school.college.classes["5e A"]
        cls.five_a = five_a
        cls.math_5a = TeachingAssignment.objects.get(teacher=p["paul.dupont"], school_class=five_a)
        cls.fra_5a = TeachingAssignment.objects.get(teacher=p["sophie.bernard"], school_class=five_a)
        cls.latin = TeachingAssignment.objects.get(teacher=p["sophie.bernard"], group__isnull=False)
        cls.math_2nde = TeachingAssignment.objects.get(teacher=p["paul.dupont"], school_class__name="2nde GT 1")
        cls.today = timezone.localdate()
        cls.past = timezone.now() - dt.timedelta(hours=1)
        cls.future = timezone.now() + dt.timedelta(days=3)

    def entry(self, assignment, *, published_at=None, title="Fractions"):
        return LogEntry.objects.create(
            establishment_id=assignment.establishment_id,
            assignment=assignment,
            date=self.today,
            title=title,
            content="<p>Cours</p>",
            published_at=published_at or self.past,
            author=assignment.teacher,
        )

    def homework(self, assignment, *, published_at=None, due=2, kind=Homework.Kind.EXERCISE, minutes=20, **kw):
        return Homework.objects.create(
            establishment_id=assignment.establishment_id,
            assignment=assignment,
            kind=kind,
            title=kw.pop("title", "Exercices p. 42"),
            due_date=self.today + dt.timedelta(days=due),
            estimated_minutes=minutes,
            published_at=published_at or self.past,
            author=assignment.teacher,
            **kw,
        )


class PolicyTests(HomeworkTestCase):
    PERSONAS = [
        # who, sees the published 5e A maths, sees it before publication, sees the Latin group's
        ("lucas.martin", True, False, True),
        ("lea.bernard", True, False, False),
        ("claire.martin", True, False, True),
        ("sophie.bernard", True, False, True),
        ("paul.dupont", True, True, True),
        ("nadia.petit", True, False, True),
        ("marc.leroy", True, True, True),
        ("admin.region", True, True, True),
        ("thomas.girard", False, False, False),
        ("ines.girard", False, False, False),
        ("emma.martin", False, False, False),
        ("charlie.roux", False, False, False),
        ("hugo.lambert", False, False, False),
    ]

    def test_who_sees_a_class_log_before_and_after_publication(self):
        """A class's log is seen by its students, their guardians, its teachers, the vie scolaire and the
        direction once published; before that only by its author, the direction and the region; a group's
        entries only by the group's students and families, the class's teachers and the staff."""
        published = self.entry(self.math_5a)
        draft = self.entry(self.math_5a, published_at=self.future)
        homework = self.homework(self.math_5a)
        draft_homework = self.homework(self.math_5a, published_at=self.future)
        latin = self.entry(self.latin)
        for who, sees, sees_draft, sees_latin in self.PERSONAS:
            actor = self.actor(who)
            with self.subTest(who=who):
                self.assertIs(authz.allows(actor, Action.VIEW, published), sees)
                self.assertIs(authz.allows(actor, Action.VIEW, homework), sees)
                self.assertIs(authz.allows(actor, Action.VIEW, draft), sees_draft)
                self.assertIs(authz.allows(actor, Action.VIEW, draft_homework), sees_draft)
                self.assertIs(authz.allows(actor, Action.VIEW, latin), sees_latin or who == "sophie.bernard")
                visible = set(LogEntry.objects.visible_to(actor).values_list("pk", flat=True))
                expected = {e.pk for e, ok in [(published, sees), (draft, sees_draft), (latin, sees_latin)] if ok}
                if who == "sophie.bernard":
                    expected.add(latin.pk)
                self.assertEqual(visible, expected)
                self.assertEqual(
                    set(Homework.objects.visible_to(actor).values_list("pk", flat=True)),
                    {h.pk for h, ok in [(homework, sees), (draft_homework, sees_draft)] if ok},
                )

    def test_only_the_author_changes_an_entry_or_homework(self):
        """Only the teacher who wrote an entry or homework changes or deletes it; the direction does not."""
        entry, homework = self.entry(self.math_5a), self.homework(self.math_5a)
        for who, _a, _b, _c in self.PERSONAS:
            with self.subTest(who=who):
                for obj in (entry, homework):
                    for action in (Action.CHANGE, Action.DELETE):
                        self.assertIs(authz.allows(self.actor(who), action, obj), who == "paul.dupont")

    def test_a_tick_is_seen_by_the_student_and_their_guardians_only(self):
        """A done tick is private to the student and their guardians."""
        mark = HomeworkDone.objects.create(homework=self.homework(self.math_5a), student=self.people["lucas.martin"])
        for who, expected in [
            ("lucas.martin", True),
            ("claire.martin", True),
            ("lea.bernard", False),
            ("paul.dupont", False),
            ("marc.leroy", False),
            ("sophie.bernard", False),
            ("charlie.roux", False),
        ]:
            with self.subTest(who=who):
                self.assertIs(authz.allows(self.actor(who), Action.VIEW, mark), expected)
                self.assertEqual(authz.scope(self.actor(who), HomeworkDone.objects.all()).exists(), expected)


class PagePermissionTests(HomeworkTestCase):
    """The log's pages that are not rows, asked by name: who acts as whom decides, not what one holds."""

    def test_who_may_open_which_page(self):
        """Teachers write the log; families follow their work, students tick it, guardians follow their
        children; the workload pages are the families', the teachers' and the staff's."""
        students = {"lucas.martin", "lea.bernard", "emma.martin", "zoe.fontaine", "hugo.lambert"}
        guardians = {"claire.martin", "thomas.girard", "nathalie.lambert"}
        teachers = {"paul.dupont", "sophie.bernard", "charlie.roux"}
        staff = teachers | {"nadia.petit", "marc.leroy", "julie.moreau"}
        table = {
            "homework.write_log": teachers,
            "homework.follow_todo": students | guardians,
            "homework.tick_done": students,
            "homework.follow_children": guardians,
            "homework.view_student_week": students | guardians,
            "homework.view_workload": students | guardians | staff,
            "homework.view_week_widget": students | guardians,
        }
        everyone = students | guardians | staff | {"admin.region"}
        for name, allowed in table.items():
            for username in sorted(everyone):
                with self.subTest(permission=name, username=username):
                    self.assertIs(authz.can(self.actor(username), name), username in allowed)

    def test_a_teacher_who_is_a_parent_follows_her_child_only_as_a_guardian(self):
        """Sophie writes the log as a teacher and follows her child's work once she acts as a guardian."""
        as_teacher = self.actor("sophie.bernard")
        as_guardian = self.actor("sophie.bernard", role=Role.GUARDIAN)
        self.assertTrue(authz.can(as_teacher, "homework.write_log"))
        self.assertFalse(authz.can(as_teacher, "homework.follow_children"))
        self.assertFalse(authz.can(as_guardian, "homework.write_log"))
        self.assertTrue(authz.can(as_guardian, "homework.follow_children"))

    def test_who_reads_the_log_of_a_class(self):
        """A class's log page: its students and their guardians, its teachers, the school life and the
        direction, the region; not another class's families, nor charlie."""
        five_a = self.school.college.classes["5e A"]
        readers = {"lucas.martin", "lea.bernard", "zoe.fontaine", "claire.martin", "sophie.bernard", "paul.dupont"}
        readers |= {"nadia.petit", "marc.leroy", "admin.region"}
        for username in ("thomas.girard", "julie.moreau", "charlie.roux", "hugo.lambert", *sorted(readers)):
            with self.subTest(username=username):
                allowed = authz.can(self.actor(username), "homework.read_class_log", five_a)
                self.assertIs(allowed, username in readers)


class QueryTests(HomeworkTestCase):
    def test_due_items_for_a_guardian_are_the_active_childs_or_all_listed_children(self):
        """A guardian gets the active child's homework, or all listed children's, each labelled."""
        lucas_hw = self.homework(self.math_5a)
        emma_hw = self.homework(self.math_2nde)
        self.homework(self.math_5a, published_at=self.future)
        claire = self.actor("claire.martin")
        end = self.today + dt.timedelta(days=7)
        self.assertEqual([h.pk for h in queries.due_items(claire, self.today, end)], [lucas_hw.pk])
        merged = queries.due_items(claire, self.today, end, student_ids=claire.children_ids)
        self.assertEqual({h.pk for h in merged}, {lucas_hw.pk, emma_hw.pk})
        labels = {h.pk: [c.first_name for c in h.children] for h in merged}
        self.assertEqual(labels, {lucas_hw.pk: ["Lucas"], emma_hw.pk: ["Emma"]})

    def test_class_load_counts_everything_planned_for_the_class_and_its_groups(self):
        """The class's load sums minutes and tests of all homework, groups and drafts included."""
        self.homework(self.math_5a, kind=Homework.Kind.TEST, minutes=30)
        self.homework(self.latin, minutes=40, published_at=self.future)
        excluded = self.homework(self.fra_5a, minutes=15)
        day = self.today + dt.timedelta(days=2)
        with self.assertNumQueries(1):
            load = queries.class_load(
                establishment_id=self.five_a.establishment_id,
                class_id=self.five_a.pk,
                start=self.today,
                end=day,
                exclude_homework_id=excluded.pk,
            )
        self.assertEqual((load[day]["minutes"], load[day]["tests"], len(load[day]["items"])), (70, 1, 2))
        self.assertEqual(load[self.today]["minutes"], 0)


class ActionTests(HomeworkTestCase):
    def test_every_write_is_audited(self):
        """Creating, changing and deleting entries, homework, links and ticks each write an audit row."""
        paul = self.actor("paul.dupont")
        entry = actions.save_log_entry(actor=paul, assignment=self.math_5a, date=self.today, title="Fractions")
        actions.save_log_entry(actor=paul, assignment=self.math_5a, date=self.today, title="Fractions 2", entry=entry)
        link = actions.add_link(actor=paul, log_entry=entry, url="https://example.org", label="Cours")
        actions.delete_link(actor=paul, link=link)
        homework = actions.save_homework(
            actor=paul, assignment=self.math_5a, kind="exercise", title="Ex. 3", due_date=self.today, log_entry=entry
        )
        actions.save_homework(
            actor=paul, assignment=self.math_5a, kind="exercise", title="Ex. 4", due_date=self.today, homework=homework
        )
        actions.set_done(actor=self.actor("lucas.martin"), homework=homework, done=True)
        actions.delete_homework(actor=paul, homework=homework)
        actions.delete_log_entry(actor=paul, entry=entry)
        self.assertEqual(
            list(AuditEvent.objects.filter(verb__startswith="homework.").order_by("id").values_list("verb", flat=True)),
            [
                "homework.create_entry",
                "homework.change_entry",
                "homework.add_link",
                "homework.delete_link",
                "homework.create_homework",
                "homework.change_homework",
                "homework.mark_done",
                "homework.delete_homework",
                "homework.delete_entry",
            ],
        )

    def test_nobody_but_the_teacher_of_the_assignment_writes_in_it(self):
        """Another teacher, the direction or a student cannot write an entry for someone else's lesson."""
        from django.core.exceptions import PermissionDenied

        for who in ["sophie.bernard", "marc.leroy", "lucas.martin", "charlie.roux"]:
            with self.subTest(who=who), self.assertRaises(PermissionDenied):
                actions.save_log_entry(actor=self.actor(who), assignment=self.math_5a, date=self.today, title="x")
        self.assertFalse(LogEntry.objects.exists())

    def test_hostile_rich_text_is_sanitized_in_entries_and_homework(self):
        """Script tags, event handlers, javascript: links, iframes and styles never reach the database."""
        paul = self.actor("paul.dupont")
        for html in HOSTILE:
            with self.subTest(html=html):
                entry = actions.save_log_entry(
                    actor=paul, assignment=self.math_5a, date=self.today, title="t", content=html
                )
                homework = actions.save_homework(
                    actor=paul,
                    assignment=self.math_5a,
                    kind="exercise",
                    title="t",
                    due_date=self.today,
                    instructions=html,
                )
                for stored in (entry.content, homework.instructions):
                    lowered = stored.lower()
                    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe", "style="):
                        self.assertNotIn(bad, lowered)

    def test_only_the_student_ticks_their_own_homework(self):
        """A guardian, another class's student or a draft cannot be ticked."""
        from django.core.exceptions import PermissionDenied

        homework = self.homework(self.math_5a)
        draft = self.homework(self.math_5a, published_at=self.future)
        for who, target in [("claire.martin", homework), ("ines.girard", homework), ("lucas.martin", draft)]:
            with self.subTest(who=who), self.assertRaises(PermissionDenied):
                actions.set_done(actor=self.actor(who), homework=target, done=True)


class NotificationTests(HomeworkTestCase):
    def recipients(self, kind):
        return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))

    def test_homework_published_now_notifies_the_class_and_families(self):
        """Homework visible at once notifies the class's students and their guardians."""
        actions.save_homework(
            actor=self.actor("paul.dupont"), assignment=self.math_5a, kind="exercise", title="Ex", due_date=self.today
        )
        self.assertEqual(
            self.recipients("homework.published"),
            {"lucas.martin", "lea.bernard", "zoe.fontaine", "claire.martin", "sophie.bernard"},
        )

    def test_homework_for_a_group_notifies_the_group_only(self):
        """Homework for the Latin group reaches its students and their guardians only."""
        actions.save_homework(
            actor=self.actor("sophie.bernard", role=Role.TEACHER),
            assignment=self.latin,
            kind="reading",
            title="Lire",
            due_date=self.today,
        )
        self.assertEqual(self.recipients("homework.published"), {"lucas.martin", "claire.martin"})

    def test_prepared_homework_is_announced_once_by_the_periodic_job(self):
        """Homework published in the future is announced by the periodic job once visible, exactly once."""
        paul = self.actor("paul.dupont")
        soon = timezone.now() + dt.timedelta(hours=2)
        due = timezone.localdate(soon) + dt.timedelta(days=1)
        homework = actions.save_homework(
            actor=paul, assignment=self.math_5a, kind="exercise", title="Ex", due_date=due, published_at=soon
        )
        self.assertEqual(self.recipients("homework.published"), set())
        self.assertEqual(actions.notify_newly_visible(timezone.now()), 0)
        self.assertEqual(actions.notify_newly_visible(soon + dt.timedelta(minutes=1)), 1)
        self.assertEqual(actions.notify_newly_visible(soon + dt.timedelta(minutes=2)), 0)
        self.assertEqual(
            Notification.objects.filter(kind="homework.published", recipient__username="lucas.martin").count(), 1
        )
        homework.refresh_from_db()
        self.assertIsNotNone(homework.notified_at)

    def test_homework_whose_day_has_passed_is_never_announced_as_new(self):
        """Work prepared ahead but due before the job runs is claimed without a « new homework » notice."""
        paul = self.actor("paul.dupont")
        soon = timezone.now() + dt.timedelta(hours=2)
        homework = actions.save_homework(
            actor=paul,
            assignment=self.math_5a,
            kind="exercise",
            title="Ex",
            due_date=timezone.localdate(soon) + dt.timedelta(days=1),
            published_at=soon,
        )
        later = soon + dt.timedelta(days=3)
        self.assertEqual(actions.notify_newly_visible(later), 0)
        self.assertEqual(self.recipients("homework.published"), set())
        homework.refresh_from_db()
        self.assertEqual(homework.notified_at, later)

    def test_changing_published_homework_bumps_its_version_and_notifies(self):
        """A change to announced homework raises its version and notifies; saving it unchanged does not."""
        paul = self.actor("paul.dupont")
        fields = {"assignment": self.math_5a, "kind": "exercise", "due_date": self.today}
        homework = actions.save_homework(actor=paul, title="Ex", **fields)
        homework = actions.save_homework(
            actor=paul, title="Ex", homework=homework, published_at=homework.published_at, **fields
        )
        self.assertEqual(homework.version, 1)
        homework = actions.save_homework(
            actor=paul, title="Ex 2", homework=homework, published_at=homework.published_at, **fields
        )
        self.assertEqual(homework.version, 2)
        self.assertIn("lucas.martin", self.recipients("homework.changed"))
        self.assertEqual(
            Notification.objects.filter(kind="homework.changed", recipient__username="lucas.martin").count(), 1
        )


class PageTests(HomeworkTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
        for weekday in range(5):
            Slot.objects.create(
                establishment_id=cls.math_5a.establishment_id,
                assignment=cls.math_5a,
                weekday=weekday,
                start_time=dt.time(8),
                end_time=dt.time(9),
                valid_from=monday - dt.timedelta(days=60),
            )

    def add_rows(self, n):
        for i in range(n):
            entry = self.entry(self.math_5a, title=f"Séance {i}")
            self.homework(self.math_5a, log_entry=entry, due=i % 5)
            self.homework(self.math_2nde, due=i % 5)
            self.homework(self.latin, due=i % 5)

    def assert_constant(self, username, url, expected):
        """The page answers 200 with ``expected`` queries, with few rows and with many."""
        self.login(username)
        self.client.get(url)  # warm the session
        for n in (1, 6):
            self.add_rows(n)
            with self.subTest(rows=n), self.assertNumQueries(expected):
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
        return response

    def test_teacher_week_budget(self):
        """The teacher's week costs a pinned number of queries whatever the data."""
        response = self.assert_constant("paul.dupont", reverse("homework:teacher"), 7)
        self.assertContains(response, "Remplir la séance")

    def test_todo_budget_for_a_student(self):
        response = self.assert_constant("lucas.martin", reverse("homework:todo"), 7)
        self.assertContains(response, "Marquer comme fait")

    def test_todo_budget_for_a_guardian_merged(self):
        """claire.martin sees both children's homework merged, each labelled with the child's name."""
        response = self.assert_constant("claire.martin", reverse("homework:todo") + "?enfants=tous", 9)
        self.assertContains(response, "Emma :")
        self.assertContains(response, "Lucas :")

    def test_class_log_budget(self):
        response = self.assert_constant("lucas.martin", reverse("homework:class_log", args=[self.five_a.pk]), 9)
        self.assertContains(response, "Séance 0")

    def test_pages_refuse_who_has_no_business_there(self):
        """Someone else's entry, a class log of another establishment, a draft: the same 404."""
        entry = self.entry(self.math_5a)
        draft = self.homework(self.math_5a, published_at=self.future)
        for who, url in [
            ("sophie.bernard", reverse("homework:entry", args=[entry.pk])),
            ("charlie.roux", reverse("homework:class_log", args=[self.five_a.pk])),
            ("thomas.girard", reverse("homework:class_log", args=[self.five_a.pk])),
            ("lucas.martin", reverse("homework:detail", args=[draft.pk])),
            ("lucas.martin", reverse("homework:teacher")),
            ("paul.dupont", reverse("homework:todo")),
        ]:
            with self.subTest(who=who, url=url):
                self.login(who)
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_teacher_writes_an_entry_and_sets_homework_through_the_pages(self):
        """The entry form saves what was typed as text (markup shown as typed); the homework form keeps what was
        typed on error."""
        self.login("paul.dupont")
        response = self.client.post(
            reverse("homework:entry_new"),
            {
                "assignment": self.math_5a.pk,
                "date": self.today.isoformat(),
                "title": "Fractions",
                "content": "Vu\n<script>x()</script>",
            },
        )
        entry = LogEntry.objects.get()
        self.assertRedirects(response, reverse("homework:entry", args=[entry.pk]))
        self.assertEqual(entry.content, "<p>Vu<br>&lt;script&gt;x()&lt;/script&gt;</p>")  # typed text, shown as typed
        page = self.client.get(reverse("homework:homework_new") + f"?seance={entry.pk}")
        self.assertContains(page, "Pour la séance du")
        typed = {
            "seance": entry.pk,
            "assignment": self.math_5a.pk,
            "kind": "test",
            "title": "Contrôle",
            "late_policy": "accept",
            "estimated_minutes": 30,
        }
        response = self.client.post(reverse("homework:homework_new"), typed)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'value="Contrôle"')
        typed["due_date"] = (self.today + dt.timedelta(days=3)).isoformat()
        response = self.client.post(reverse("homework:homework_new"), typed)
        self.assertRedirects(response, reverse("homework:entry", args=[entry.pk]))
        self.assertEqual(Homework.objects.get().log_entry, entry)

    def test_the_done_tick_works_with_and_without_htmx(self):
        """A student ticks homework done (a fragment for htmx, a redirect otherwise) and unticks it."""
        homework = self.homework(self.math_5a)
        self.login("lucas.martin")
        url = reverse("homework:toggle_done", args=[homework.pk])
        response = self.client.post(url, {"done": "1"}, headers={"HX-Request": "true"})
        self.assertContains(response, f"homework-{homework.pk}")
        self.assertTrue(HomeworkDone.objects.filter(homework=homework).exists())
        self.assertRedirects(self.client.post(url, {"done": "0"}), reverse("homework:todo"))
        self.assertFalse(HomeworkDone.objects.exists())

    def test_the_dashboard_widget_shows_upcoming_homework(self):
        """The dashboard lists the homework due in the next seven days."""
        self.homework(self.math_5a, title="Exercices du widget")
        self.login("lucas.martin")
        with CaptureQueriesContext(connection):
            response = self.client.get(reverse("dashboard:home"))
        self.assertContains(response, "Exercices du widget")


class WorkloadWarningTests(HomeworkTestCase):
    def test_the_form_warns_of_an_overloaded_day_and_saves_when_confirmed(self):
        """A second test on one day shows the guard's warning with everything typed kept; confirming saves."""
        self.homework(self.fra_5a, kind=Homework.Kind.TEST, due=3, title="Dictée")
        self.login("paul.dupont")
        typed = {
            "assignment": self.math_5a.pk,
            "kind": "test",
            "title": "Contrôle de fractions",
            "due_date": (self.today + dt.timedelta(days=3)).isoformat(),
            "estimated_minutes": 40,
            "late_policy": "accept",
        }
        response = self.client.post(reverse("homework:homework_new"), typed)
        self.assertContains(response, "Enregistrer quand même")
        self.assertContains(response, "Dictée")
        self.assertContains(response, 'value="Contrôle de fractions"')
        self.assertEqual(Homework.objects.count(), 1)
        response = self.client.post(reverse("homework:homework_new"), typed | {"confirm": "1"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Homework.objects.count(), 2)


class AttachmentTests(HomeworkTestCase):
    PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

    def setUp(self):
        import tempfile

        from django.test import override_settings

        self.media = tempfile.TemporaryDirectory()
        self.override = override_settings(MEDIA_ROOT=self.media.name)
        self.override.enable()

    def tearDown(self):
        self.override.disable()
        self.media.cleanup()

    def test_a_file_is_checked_by_content_and_served_to_readers_only(self):
        """A PDF is joined and downloaded by the class with nosniff; HTML named .pdf is refused; others 404."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        entry = self.entry(self.math_5a)
        self.login("paul.dupont")
        url = reverse("homework:attachment_add", args=["seance", entry.pk])
        self.client.post(url, {"file": SimpleUploadedFile("cours.pdf", self.PDF)})
        self.client.post(url, {"file": SimpleUploadedFile("piege.pdf", b"<html><script>x()</script></html>")})
        attachment = entry.attachments.get()
        self.assertEqual(attachment.original_name, "cours.pdf")
        self.assertTrue(AuditEvent.objects.filter(verb="homework.add_attachment").exists())
        download = reverse("homework:attachment", args=[attachment.pk])
        for who, status in [("lucas.martin", 200), ("claire.martin", 200), ("ines.girard", 404), ("charlie.roux", 404)]:
            with self.subTest(who=who):
                self.login(who)
                response = self.client.get(download)
                self.assertEqual(response.status_code, status)
                if status == 200:
                    self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                    self.assertIn("cours.pdf", response["Content-Disposition"])
