"""The grades app: who sees and changes grades, the entry grid (French decimals, codes, errors per cell),
the gradebook and its exports, a student's page, the "new grades" notice, audit, and query budgets."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent, Notification
from cartable.directory.models import Enrolment, Role, User
from cartable.grades import actions
from cartable.grades.actions import MarkEntry
from cartable.grades.forms import parse_mark
from cartable.grades.models import CompetencyAssessment, Evaluation, Mark, SubjectCoefficient
from tests.support.personas import PersonaTestCase

D = Decimal
EVERYONE = [
    "lucas.martin",
    "claire.martin",
    "paul.dupont",
    "sophie.bernard",
    "nadia.petit",
    "marc.leroy",
    "julie.moreau",
    "admin.region",
    "thomas.girard",
    "lea.bernard",
    "charlie.roux",
]


class GradesTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        kit, p = cls.school.college, cls.people
        cls.kit = kit
        cls.five_a = kit.classes["5e A"]
        cls.latin = cls.five_a.groups.get()
        today = timezone.localdate()
        # The period pages open on by default: the current one (the first before the year starts).
        cls.period = next((p for p in kit.periods if p.start_date <= today <= p.end_date), kit.periods[0])
        cls.past = timezone.now() - dt.timedelta(hours=1)
        cls.future = timezone.now() + dt.timedelta(days=3)
        cls.math = cls.evaluation(p["paul.dupont"], "MATH", title="Fractions")
        cls.french = cls.evaluation(p["sophie.bernard"], "FRA", title="Dictée")
        cls.latin_test = cls.evaluation(p["sophie.bernard"], "LAT", title="Déclinaisons", group=cls.latin)
        cls.draft = cls.evaluation(p["paul.dupont"], "MATH", title="Pas encore publié", publish_at=cls.future)
        for evaluation, value in [(cls.math, "12.5"), (cls.french, "14"), (cls.latin_test, "16"), (cls.draft, "9")]:
            cls.mark(evaluation, p["lucas.martin"], value)
        cls.mark(cls.math, p["lea.bernard"], "15")

    @classmethod
    def evaluation(cls, teacher, subject, *, title, group=None, publish_at=None, scale="20", coefficient="1"):
        return Evaluation.objects.create(
            establishment=cls.kit.establishment,
            teacher=teacher,
            subject=cls.kit.subjects[subject],
            school_class=None if group else cls.five_a,
            group=group,
            period=cls.period,
            title=title,
            date=max(cls.period.start_date, min(cls.period.start_date + dt.timedelta(days=20), timezone.localdate())),
            coefficient=D(coefficient),
            scale=D(scale),
            publish_at=publish_at or cls.past,
        )

    @classmethod
    def mark(cls, evaluation, student, value):
        code = value if value in {"ABS", "DISP", "NN", "NR"} else ""
        return Mark.objects.create(
            establishment_id=evaluation.establishment_id,
            evaluation=evaluation,
            student=student,
            value=None if code else D(value),
            code=code,
            updated_by=evaluation.teacher,
        )

    def actor_as(self, username):
        if username == "claire.martin":
            return self.actor(username, role=Role.GUARDIAN, establishment=self.kit.establishment)
        if username == "sophie.bernard":
            return self.actor(username, role=Role.TEACHER)
        return self.actor(username)


class PolicyTests(GradesTestCase):
    def check_matrix(self, obj, action, allowed: set[str]):
        for who in EVERYONE:
            with self.subTest(who=who, obj=str(obj), action=action):
                actor = self.actor_as(who)
                self.assertIs(authz.allows(actor, action, obj), who in allowed)
                if action == Action.VIEW:
                    visible = type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists()
                    self.assertIs(visible, who in allowed, "scope and allows disagree")

    def test_who_sees_a_published_maths_mark(self):
        """The student, their guardian, the maths (and head) teacher, the direction and the region see it."""
        mark = Mark.objects.get(evaluation=self.math, student=self.people["lucas.martin"])
        self.check_matrix(
            mark, Action.VIEW, {"lucas.martin", "claire.martin", "paul.dupont", "marc.leroy", "admin.region"}
        )

    def test_the_head_teacher_sees_every_subject_of_the_class(self):
        """paul.dupont, head teacher of 5e A, sees the French marks, the Latin group's too; sophie sees hers."""
        for evaluation in (self.french, self.latin_test):
            mark = Mark.objects.get(evaluation=evaluation, student=self.people["lucas.martin"])
            self.check_matrix(
                mark,
                Action.VIEW,
                {"lucas.martin", "claire.martin", "paul.dupont", "sophie.bernard", "marc.leroy", "admin.region"},
            )

    def test_an_unpublished_mark_is_hidden_from_the_family(self):
        """Before its publication time, only the staff who may see it do."""
        mark = Mark.objects.get(evaluation=self.draft, student=self.people["lucas.martin"])
        self.check_matrix(mark, Action.VIEW, {"paul.dupont", "marc.leroy", "admin.region"})

    def test_only_the_subject_teacher_changes_marks(self):
        """Seeing is not changing: the head teacher changes only the subject they teach, the direction none."""
        self.check_matrix(
            Mark.objects.get(evaluation=self.math, student=self.people["lea.bernard"]), Action.CHANGE, {"paul.dupont"}
        )
        self.check_matrix(
            Mark.objects.get(evaluation=self.french, student=self.people["lucas.martin"]),
            Action.CHANGE,
            {"sophie.bernard"},
        )

    def test_who_sees_an_evaluation(self):
        """Families see the published evaluations their child was marked in (sophie.bernard as Léa's mother);
        charlie and the CPE nothing."""
        family = {"lucas.martin", "claire.martin", "lea.bernard", "sophie.bernard"}
        self.check_matrix(self.math, Action.VIEW, family | {"paul.dupont", "marc.leroy", "admin.region"})
        self.check_matrix(self.draft, Action.VIEW, {"paul.dupont", "marc.leroy", "admin.region"})
        self.check_matrix(self.math, Action.CHANGE, {"paul.dupont"})

    def test_competency_assessments_follow_the_students(self):
        """Teachers of the student and the head teacher see them; the family once published; only the
        assessor changes them."""
        assessment = CompetencyAssessment.objects.create(
            establishment=self.kit.establishment,
            student=self.people["lucas.martin"],
            component="D1.1",
            level=3,
            period=self.period,
            assessed_by=self.people["sophie.bernard"],
            date=self.period.start_date,
            publish_at=self.past,
        )
        self.check_matrix(
            assessment,
            Action.VIEW,
            {"lucas.martin", "claire.martin", "paul.dupont", "sophie.bernard", "marc.leroy", "admin.region"},
        )
        self.check_matrix(assessment, Action.CHANGE, {"sophie.bernard"})


class MarkEntryTests(GradesTestCase):
    def test_cells_accept_commas_points_and_codes(self):
        """ "12,5" and "12.5" are the same mark; codes are read whatever their case; errors are in French."""
        self.assertEqual(parse_mark("12,5", D(20)), (MarkEntry(value=D("12.5")), ""))
        self.assertEqual(parse_mark(" 12.5 ", D(20)), (MarkEntry(value=D("12.5")), ""))
        self.assertEqual(parse_mark("abs", D(20)), (MarkEntry(code="ABS"), ""))
        self.assertEqual(parse_mark("Disp", D(20)), (MarkEntry(code="DISP"), ""))
        self.assertEqual(parse_mark("", D(20)), (MarkEntry(), ""))
        for bad, message in [
            ("21", "dépasse le barème"),
            ("douze", "n'est ni une note"),
            ("1e3", "n'est ni"),
            ("12,345", "n'est ni"),
            ("-2", "n'est ni"),
        ]:
            with self.subTest(bad=bad):
                entry, error = parse_mark(bad, D(20))
                self.assertIsNone(entry)
                self.assertIn(message, error)

    def test_the_grid_saves_marks_and_keeps_what_was_typed_on_error(self):
        """A bad cell: 400, a French message on that cell, every typed value redisplayed, nothing saved."""
        self.login("paul.dupont")
        url = reverse("grades:evaluation", args=[self.math.pk])
        lucas, lea, zoe = (self.people[u].pk for u in ("lucas.martin", "lea.bernard", "zoe.fontaine"))
        response = self.client.post(url, {f"mark-{lucas}": "13,75", f"mark-{lea}": "25", f"mark-{zoe}": "abs"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "dépasse le barème", status_code=400)
        self.assertContains(response, 'value="13,75"', status_code=400)
        self.assertContains(response, 'value="25"', status_code=400)
        self.assertContains(response, 'aria-invalid="true"', status_code=400)
        self.assertEqual(Mark.objects.get(evaluation=self.math, student_id=lucas).value, D("12.5"))
        response = self.client.post(url, {f"mark-{lucas}": "13,75", f"mark-{lea}": "", f"mark-{zoe}": "abs"})
        self.assertRedirects(response, url)
        marks = {m.student_id: (m.value, m.code) for m in Mark.objects.filter(evaluation=self.math)}
        self.assertEqual(marks, {lucas: (D("13.75"), ""), zoe: (None, "ABS")})
        event = AuditEvent.objects.filter(verb="grades.save_marks").latest("pk")
        self.assertEqual(event.before[str(lucas)], "12.50")
        self.assertEqual(event.after["counts"], {"created": 1, "changed": 1, "removed": 1})

    def test_the_grid_is_read_only_for_the_head_teacher_of_another_subject(self):
        """paul.dupont reads the French marks of his class but cannot post them."""
        self.login("paul.dupont")
        url = reverse("grades:evaluation", args=[self.french.pk])
        response = self.client.get(url)
        self.assertContains(response, "14")
        self.assertNotContains(response, 'name="mark-')
        self.assertEqual(self.client.post(url, {f"mark-{self.people['lucas.martin'].pk}": "2"}).status_code, 404)

    def test_competency_levels_are_saved_with_the_marks(self):
        """An evaluation assessing D1.3 has a level column; its levels are saved as assessments."""
        self.math.competencies = ["D1.3"]
        self.math.save()
        self.login("paul.dupont")
        lucas = self.people["lucas.martin"].pk
        self.client.post(
            reverse("grades:evaluation", args=[self.math.pk]), {f"mark-{lucas}": "12,5", f"level-{lucas}-D1.3": "4"}
        )
        assessment = CompetencyAssessment.objects.get(student_id=lucas, evaluation=self.math)
        self.assertEqual((assessment.component, assessment.level), ("D1.3", 4))

    def test_creating_an_evaluation(self):
        """A teacher creates an evaluation for one of their classes; a date outside the period is refused."""
        self.login("paul.dupont")
        assignment = self.people["paul.dupont"].teaching_assignments.get(school_class=self.five_a)
        data = {
            "assignment": assignment.pk,
            "period": self.period.pk,
            "title": "Géométrie",
            "date": (self.period.end_date + dt.timedelta(days=5)).isoformat(),
            "coefficient": "0,5",
            "scale": "10",
            "not_handed_in": "excluded",
            "competencies": ["D1.3", "D4"],
        }
        response = self.client.post(reverse("grades:evaluation_new"), data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "La date doit être dans la période", status_code=400)
        self.assertContains(response, 'value="Géométrie"', status_code=400)
        data["date"] = self.period.start_date.isoformat()
        response = self.client.post(reverse("grades:evaluation_new"), data)
        evaluation = Evaluation.objects.get(title="Géométrie")
        self.assertRedirects(response, reverse("grades:evaluation", args=[evaluation.pk]))
        self.assertEqual((evaluation.coefficient, evaluation.scale), (D("0.5"), D(10)))
        self.assertFalse(evaluation.not_handed_in_counts_zero)
        self.assertEqual(evaluation.competencies, ["D1.3", "D4"])
        self.assertTrue(
            AuditEvent.objects.filter(verb="grades.create_evaluation", target_id=str(evaluation.pk)).exists()
        )

    def test_a_teacher_cannot_create_for_a_class_they_do_not_teach(self):
        """The action refuses an evaluation of a subject the actor does not teach to that class."""
        from django.core.exceptions import PermissionDenied

        with self.assertRaises(PermissionDenied):
            actions.save_evaluation(
                actor=self.actor("sophie.bernard", role=Role.TEACHER),
                subject=self.kit.subjects["MATH"],
                period=self.period,
                title="Intrus",
                date=self.period.start_date,
                school_class=self.five_a,
            )


class NoticeTests(GradesTestCase):
    def test_new_grades_are_announced_once_when_visible(self):
        """The draft's marks are announced when its publication time has passed, once, to the student and
        the guardian (about the child)."""
        Evaluation.objects.update(notified_at=timezone.now())
        Evaluation.objects.filter(pk=self.draft.pk).update(notified_at=None)
        self.assertEqual(actions.announce_published(), 0)
        self.assertEqual(actions.announce_published(now=self.future + dt.timedelta(minutes=1)), 1)
        self.assertEqual(actions.announce_published(now=self.future + dt.timedelta(minutes=2)), 0)
        notices = Notification.objects.filter(kind="grades.published")
        self.assertEqual(
            sorted((n.recipient.username, n.about_id) for n in notices),
            [("claire.martin", self.people["lucas.martin"].pk), ("lucas.martin", None)],
        )

    def test_saving_marks_of_a_published_evaluation_announces_them(self):
        """Marks entered on an evaluation already visible are announced at once."""
        evaluation = self.evaluation(self.people["paul.dupont"], "MATH", title="Calcul mental")
        actions.save_marks(
            actor=self.actor("paul.dupont"),
            evaluation=evaluation,
            entries={self.people["lea.bernard"].pk: MarkEntry(value=D(11))},
        )
        recipients = set(
            Notification.objects.filter(kind="grades.published").values_list("recipient__username", flat=True)
        )
        self.assertEqual(recipients, {"lea.bernard", "sophie.bernard"})


class FamilyPageTests(GradesTestCase):
    def test_a_parent_reads_published_grades_only(self):
        """claire.martin sees Lucas's published marks and averages, never the draft's."""
        self.login("claire.martin")
        response = self.client.get(reverse("grades:mine"))
        self.assertContains(response, "Fractions")
        self.assertContains(response, "Déclinaisons")
        self.assertNotContains(response, "Pas encore publié")
        self.assertContains(response, "<svg", html=False)
        # maths average from the published mark only: 12.50, not (12.5 + 9) / 2
        self.assertContains(response, "<strong>12,50</strong>", html=False)
        self.assertFalse(AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).exists())

    def test_staff_reading_a_students_grades_is_recorded(self):
        """The principal reads Lucas's grades: one read event about Lucas."""
        self.login("marc.leroy")
        response = self.client.get(reverse("grades:student", args=[self.people["lucas.martin"].pk]))
        self.assertContains(response, "Pas encore publié")
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.READ)
        self.assertEqual((event.verb, event.subject_id), ("grades.read_student", self.people["lucas.martin"].pk))

    def test_pages_refuse_who_has_no_business_there(self):
        """Another family's child, another establishment's teacher, the CPE: the same 404."""
        lucas = self.people["lucas.martin"].pk
        for who, url in [
            ("thomas.girard", reverse("grades:student", args=[lucas])),
            ("charlie.roux", reverse("grades:student", args=[lucas])),
            ("charlie.roux", reverse("grades:gradebook", args=[self.five_a.pk])),
            ("charlie.roux", reverse("grades:evaluation", args=[self.math.pk])),
            ("nadia.petit", reverse("grades:gradebook", args=[self.five_a.pk])),
            ("lucas.martin", reverse("grades:evaluation", args=[self.math.pk])),
            ("lucas.martin", reverse("grades:gradebook", args=[self.five_a.pk])),
            ("sophie.bernard", reverse("grades:evaluation_edit", args=[self.math.pk])),
        ]:
            with self.subTest(who=who, url=url):
                self.login(who)
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_dashboard_widget_shows_the_latest_grades(self):
        """Lucas's dashboard lists his latest published marks, not the draft."""
        self.login("lucas.martin")
        response = self.client.get(reverse("dashboard:home"))
        self.assertContains(response, "Dernières notes")
        self.assertContains(response, "Fractions")
        self.assertNotContains(response, "Pas encore publié")


class GradebookTests(GradesTestCase):
    def test_the_head_teacher_sees_every_subject_and_the_overall_average(self):
        """paul.dupont's gradebook of 5e A has maths and French columns and the overall averages."""
        self.login("paul.dupont")
        response = self.client.get(reverse("grades:gradebook", args=[self.five_a.pk]))
        self.assertContains(response, "Moy. générale")
        self.assertContains(response, "Dictée")
        self.assertEqual(
            set(AuditEvent.objects.filter(verb="grades.read_gradebook").values_list("subject_id", flat=True)),
            {self.people[u].pk for u in ("lucas.martin", "lea.bernard", "zoe.fontaine")},
        )

    def test_a_subject_teacher_sees_only_their_subject(self):
        """sophie.bernard sees her French evaluations, not the maths ones nor the overall average."""
        self.login("sophie.bernard")
        response = self.client.get(reverse("grades:gradebook", args=[self.five_a.pk]))
        self.assertContains(response, "Dictée")
        self.assertNotContains(response, "Fractions")
        self.assertNotContains(response, "Moy. générale")

    def test_exports_carry_the_same_numbers(self):
        """CSV (semicolons, decimal commas) and XLSX (numbers as numbers) hold the page's averages."""
        self.login("paul.dupont")
        url = reverse("grades:gradebook_export", args=[self.five_a.pk, "csv"])
        response = self.client.get(url)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        lucas = next(r for r in rows if r[0] == "Martin Lucas")
        self.assertIn("10,75", lucas)  # maths for the staff: (12.5 + 9) / 2, the draft included
        self.assertIn("Moyenne générale", rows[0])
        response = self.client.get(reverse("grades:gradebook_export", args=[self.five_a.pk, "xlsx"]))
        sheet = load_workbook(io.BytesIO(response.content)).active
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        self.assertEqual(values[0][0], "Élève")
        lucas_row = next(r for r in values if r[0] == "Martin Lucas")
        self.assertIn(12.5, lucas_row)


class QueryBudgetTests(GradesTestCase):
    def add_students(self, n):
        """n more students in 5e A, each with a maths and a French mark."""
        start = User.objects.count()
        for i in range(n):
            student = User.objects.create(
                username=f"eleve{start + i}", first_name="Élève", last_name=f"N{start + i:03d}"
            )
            Enrolment.objects.create(
                establishment=self.kit.establishment,
                student=student,
                school_class=self.five_a,
                start_date=self.kit.year.start_date,
            )
            self.mark(self.math, student, str(i % 20))
            self.mark(self.french, student, "ABS" if i % 7 == 0 else str((i * 3) % 20))

    def assert_constant(self, username, url, expected, *, post=None):
        self.login(username)
        self.client.get(url)  # warm the session
        for n in (0, 32):  # 3 students, then 35
            self.add_students(n)
            with self.subTest(students=3 + n), self.assertNumQueries(expected):
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
        return response

    def test_grid_budget(self):
        """The entry grid of a class costs the same with 3 and 35 students."""
        self.assert_constant("paul.dupont", reverse("grades:evaluation", args=[self.math.pk]), 10)

    def test_gradebook_budget(self):
        self.assert_constant("paul.dupont", reverse("grades:gradebook", args=[self.five_a.pk]), 17)

    def test_student_page_budget(self):
        """A student's period summary costs the same whatever the class size."""
        self.assert_constant("lucas.martin", reverse("grades:mine"), 11)

    def test_saving_a_grid_budget(self):
        """Saving a whole grid is a constant number of queries too (its notice, once, is apart)."""
        Evaluation.objects.filter(pk=self.math.pk).update(notified_at=timezone.now())
        self.math.refresh_from_db()
        self.add_students(32)
        students = list(Enrolment.objects.filter(school_class=self.five_a).values_list("student_id", flat=True))
        entries = {sid: MarkEntry(value=D(i % 20)) for i, sid in enumerate(students)}
        actor = self.actor("paul.dupont")
        with self.assertNumQueries(8):
            actions.save_marks(actor=actor, evaluation=self.math, entries=entries)


class ParentWhoTeachesTests(GradesTestCase):
    def test_a_parent_who_teaches_never_sees_the_class_grid_of_her_childs_evaluation(self):
        """sophie.bernard, Léa's mother, sees Léa's maths mark but not the maths grid or gradebook columns."""
        self.login("sophie.bernard")
        self.assertEqual(self.client.get(reverse("grades:evaluation", args=[self.math.pk])).status_code, 404)
        response = self.client.get(reverse("grades:gradebook", args=[self.five_a.pk]))
        self.assertContains(response, "Dictée")
        self.assertNotContains(response, "Fractions")
        self.assertNotContains(response, "Moy. générale")


class CoefficientTests(GradesTestCase):
    def test_the_direction_sets_subject_coefficients_per_level(self):
        """marc.leroy weighs maths 2 in 5e; a bad value comes back in its cell; families cannot open the page."""
        url = reverse("grades:coefficients")
        math = self.kit.subjects["MATH"]
        self.login("lucas.martin")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login("marc.leroy")
        self.client.get(url)  # warm the session
        with self.assertNumQueries(6):
            response = self.client.get(url)
        self.assertContains(response, f'name="coef-5e-{math.pk}"')
        response = self.client.post(url, {f"coef-5e-{math.pk}": "deux", f"coef-4e-{math.pk}": "3"})
        self.assertContains(response, "Saisissez un coefficient", status_code=400)
        self.assertContains(response, 'value="deux"', status_code=400)
        self.assertFalse(SubjectCoefficient.objects.exists())
        response = self.client.post(url, {f"coef-5e-{math.pk}": "2", f"coef-4e-{math.pk}": "1"})
        self.assertRedirects(response, url)
        row = SubjectCoefficient.objects.get()
        self.assertEqual((row.level, row.subject_id, row.coefficient), ("5e", math.pk, D(2)))
        self.assertTrue(AuditEvent.objects.filter(verb="grades.set_subject_coefficient").exists())


class SubjectTeacherStudentPageTests(GradesTestCase):
    def test_a_subject_teacher_sees_only_their_subject_on_a_students_page(self):
        """sophie.bernard (French) opens Lucas's page: French marks and average, no maths, no overall."""
        self.login("sophie.bernard")
        response = self.client.get(reverse("grades:student", args=[self.people["lucas.martin"].pk]))
        self.assertContains(response, "Dictée")
        self.assertNotContains(response, "Fractions")
        self.assertNotContains(response, "Mathématiques")
        self.assertContains(response, "<strong>—</strong>", html=False)  # no overall average


class GroupGridTests(GradesTestCase):
    def test_the_head_teacher_reads_only_his_students_in_a_group_of_several_classes(self):
        """Inès (4e B) joins the Latin group: paul.dupont, head teacher of 5e A, does not see her mark."""
        from cartable.directory.models import GroupMembership

        ines = self.people["ines.girard"]
        self.latin.classes.add(self.kit.classes["4e B"])
        GroupMembership.objects.create(
            establishment=self.kit.establishment, student=ines, group=self.latin, start_date=self.kit.year.start_date
        )
        self.mark(self.latin_test, ines, "19")
        self.login("paul.dupont")
        response = self.client.get(reverse("grades:evaluation", args=[self.latin_test.pk]))
        self.assertContains(response, "Martin Lucas")
        self.assertNotContains(response, "Girard")
        self.login("sophie.bernard")
        self.assertContains(self.client.get(reverse("grades:evaluation", args=[self.latin_test.pk])), "Girard")


class NamedPermissionTests(GradesTestCase):
    def test_every_grades_permission_answers_for_every_persona(self):
        """Each named permission of the app answers True or False for every persona, about an object of the
        model it names (a class, an evaluation, a student, the college) or about nothing."""
        objects = {
            None: None,
            "directory.schoolclass": self.five_a,
            "grades.evaluation": self.latin_test,
            "directory.user": self.people["lucas.martin"],
            "directory.establishment": self.kit.establishment,
        }
        names = [n for n in authz.registered_permissions() if n.startswith("grades.")]
        self.assertGreaterEqual(len(names), 10)
        for name in names:
            about = authz.registered_permissions()[name].about
            obj = objects[about._meta.label_lower if about is not None else None]
            for who in EVERYONE:
                with self.subTest(permission=name, who=who):
                    self.assertIn(authz.allows(self.actor(who), name, obj), (True, False))

    def test_the_gradebook_opens_exactly_for_whom_its_permission_allows(self):
        """The page and the named permission agree, persona by persona (the API will ask the same one)."""
        url = reverse("grades:gradebook", args=[self.five_a.pk])
        allowed = {who for who in EVERYONE if authz.can(self.actor(who), "grades.view_gradebook", self.five_a)}
        self.assertIn("paul.dupont", allowed)
        self.assertIn("marc.leroy", allowed)
        self.assertNotIn("lucas.martin", allowed)
        self.assertNotIn("nadia.petit", allowed)
        for who in EVERYONE:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(url).status_code, 200 if who in allowed else 404)

    def test_a_students_page_opens_exactly_for_whom_its_permission_allows(self):
        lucas = self.people["lucas.martin"]
        url = reverse("grades:student", args=[lucas.pk])
        for who in EVERYONE:
            with self.subTest(who=who):
                expected = 200 if authz.can(self.actor(who), "grades.view_student", lucas) else 404
                self.login(who)
                self.assertEqual(self.client.get(url).status_code, expected)
