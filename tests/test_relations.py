"""The directory's relation queries over the persona school: who is related to whom, each in one query."""

import datetime as dt

from cartable.demo.personas import person
from cartable.directory import queries
from cartable.directory.models import Enrolment, Group, Guardianship, Membership, Role, TeachingAssignment
from tests.support.personas import PersonaTestCase


class RelationTestCase(PersonaTestCase):
    """Adds a teacher who teaches only the Latin group (drawn from 5e A), to see relations through groups."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        college = cls.school.college
        cls.latin = Group.objects.get(establishment=college.establishment, name="Latin 5e")
        cls.vincent = person("vincent.garnier", "Vincent", "Garnier", title="m")
        Membership.objects.create(
            person=cls.vincent,
            establishment=college.establishment,
            role=Role.TEACHER,
            start_date=college.year.start_date,
        )
        TeachingAssignment.objects.create(
            establishment=college.establishment,
            teacher=cls.vincent,
            subject=college.subjects["FRA"],
            group=cls.latin,
            start_date=college.year.start_date,
        )
        cls.people = {**cls.people, "vincent.garnier": cls.vincent}

    def names(self, queryset):
        """Usernames in the query's order, asserting the query is a single SQL statement."""
        with self.assertNumQueries(1):
            return [u.username for u in queryset]

    def class_names(self, queryset):
        with self.assertNumQueries(1):
            return sorted(c.name for c in queryset)


class FamilyRelationTests(RelationTestCase):
    def test_children_of_a_guardian(self):
        """A guardian's children, across establishments, by first name."""
        for guardian, expected in [
            ("claire.martin", ["emma.martin", "lucas.martin"]),
            ("sophie.bernard", ["lea.bernard"]),
            ("thomas.girard", ["ines.girard"]),
            ("paul.dupont", []),
            ("lucas.martin", []),
        ]:
            with self.subTest(guardian=guardian):
                self.assertEqual(self.names(queries.children_of(self.people[guardian])), expected)

    def test_guardians_of_a_student(self):
        """A student's guardians; ``notified_only`` leaves out those who asked for no notices."""
        Guardianship.objects.filter(guardian=self.people["thomas.girard"]).update(receives_notifications=False)
        for student, notified_only, expected in [
            ("lucas.martin", False, ["claire.martin"]),
            ("emma.martin", False, ["claire.martin"]),
            ("lea.bernard", False, ["sophie.bernard"]),
            ("ines.girard", False, ["thomas.girard"]),
            ("ines.girard", True, []),
            ("lucas.martin", True, ["claire.martin"]),
            ("paul.dupont", False, []),
        ]:
            with self.subTest(student=student, notified_only=notified_only):
                found = queries.guardians_of(self.people[student], notified_only=notified_only)
                self.assertEqual(self.names(found), expected)

    def test_guardians_of_many_students_at_once(self):
        """Student id -> guardian ids for a whole class in one query, for notices to families."""
        p = self.people
        Guardianship.objects.filter(guardian=p["thomas.girard"]).update(receives_notifications=False)
        ids = [p["lucas.martin"].pk, p["emma.martin"].pk, p["ines.girard"].pk, p["lea.bernard"].pk]
        with self.assertNumQueries(1):
            notified = queries.guardians_of_students(ids)
        self.assertEqual(
            notified,
            {
                p["lucas.martin"].pk: [p["claire.martin"].pk],
                p["emma.martin"].pk: [p["claire.martin"].pk],
                p["lea.bernard"].pk: [p["sophie.bernard"].pk],
            },
        )
        with self.assertNumQueries(1):
            everyone = queries.guardians_of_students(ids, notified_only=False)
        self.assertEqual(everyone[p["ines.girard"].pk], [p["thomas.girard"].pk])


class ClassRelationTests(RelationTestCase):
    def test_students_of_a_class(self):
        """The students enrolled now, by name; a student who left is no longer listed."""
        five_a = self.school.college.classes["5e A"]
        self.assertEqual(self.names(queries.students_of_class(five_a)), ["lea.bernard", "zoe.fontaine", "lucas.martin"])
        Enrolment.objects.filter(student=self.people["zoe.fontaine"]).update(
            end_date=self.school.college.year.start_date + dt.timedelta(days=30)
        )
        self.assertEqual(self.names(queries.students_of_class(five_a)), ["lea.bernard", "lucas.martin"])
        on_first_week = self.school.college.year.start_date + dt.timedelta(days=7)
        self.assertIn("zoe.fontaine", self.names(queries.students_of_class(five_a, on=on_first_week)))

    def test_classes_of_a_student(self):
        """The classes a student attends now."""
        for student, expected in [
            ("lucas.martin", ["5e A"]),
            ("emma.martin", ["2nde GT 1"]),
            ("hugo.lambert", ["5e 1"]),
            ("paul.dupont", []),
        ]:
            with self.subTest(student=student):
                self.assertEqual(self.class_names(queries.classes_of_student(self.people[student])), expected)

    def test_teachers_of_a_class_include_those_of_its_groups(self):
        """5e A is taught by Paul and Sophie directly and by Vincent through the Latin group."""
        college, other = self.school.college, self.school.other
        for school_class, expected in [
            (college.classes["5e A"], ["sophie.bernard", "paul.dupont", "vincent.garnier"]),
            (college.classes["4e B"], ["sophie.bernard"]),
            (self.school.lycee.classes["2nde GT 1"], ["paul.dupont"]),
            (other.classes["5e 1"], ["charlie.roux"]),
        ]:
            with self.subTest(school_class=school_class.name):
                self.assertEqual(self.names(queries.teachers_of_class(school_class)), expected)

    def test_teachers_of_a_student(self):
        """Lucas's teachers: his class's and his Latin group's."""
        for student, expected in [
            ("lucas.martin", ["sophie.bernard", "paul.dupont", "vincent.garnier"]),
            ("lea.bernard", ["sophie.bernard", "paul.dupont"]),
            ("ines.girard", ["sophie.bernard"]),
            ("emma.martin", ["paul.dupont"]),
            ("hugo.lambert", ["charlie.roux"]),
        ]:
            with self.subTest(student=student):
                self.assertEqual(self.names(queries.teachers_of_student(self.people[student])), expected)


class TeacherRelationTests(RelationTestCase):
    def test_students_taught_by_a_teacher_per_establishment(self):
        """Paul teaches 5e A at the collège and 2nde GT 1 at the lycée; Vincent reaches Lucas through Latin."""
        college, lycee = self.school.college.establishment, self.school.lycee.establishment
        five_a = ["lea.bernard", "zoe.fontaine", "lucas.martin"]
        for teacher, establishment, expected in [
            ("paul.dupont", None, ["lea.bernard", "zoe.fontaine", "emma.martin", "lucas.martin"]),
            ("paul.dupont", college, five_a),
            ("paul.dupont", lycee, ["emma.martin"]),
            ("sophie.bernard", college, ["lea.bernard", "zoe.fontaine", "ines.girard", "lucas.martin"]),
            ("sophie.bernard", lycee, []),
            ("vincent.garnier", college, ["lucas.martin"]),
            ("charlie.roux", None, ["hugo.lambert"]),
            ("charlie.roux", college, []),
            ("lucas.martin", None, []),
        ]:
            with self.subTest(teacher=teacher, establishment=establishment):
                found = queries.students_taught_by(self.people[teacher], establishment)
                self.assertEqual(self.names(found), expected)

    def test_classes_taught_by_a_teacher(self):
        """The classes a teacher meets, directly or through a group drawn from them."""
        college, lycee = self.school.college.establishment, self.school.lycee.establishment
        for teacher, establishment, expected in [
            ("paul.dupont", None, ["2nde GT 1", "5e A"]),
            ("paul.dupont", college, ["5e A"]),
            ("paul.dupont", lycee, ["2nde GT 1"]),
            ("sophie.bernard", None, ["4e B", "5e A"]),
            ("vincent.garnier", None, ["5e A"]),
            ("charlie.roux", college, []),
            ("nadia.petit", None, []),
        ]:
            with self.subTest(teacher=teacher, establishment=establishment):
                found = queries.classes_taught_by(self.people[teacher], establishment)
                self.assertEqual(self.class_names(found), expected)

    def test_a_finished_assignment_no_longer_counts(self):
        """When Vincent's Latin assignment ends, he no longer teaches Lucas nor 5e A."""
        TeachingAssignment.objects.filter(teacher=self.vincent).update(
            end_date=self.school.college.year.start_date + dt.timedelta(days=1)
        )
        self.assertEqual(self.names(queries.students_taught_by(self.vincent)), [])
        self.assertEqual(self.class_names(queries.classes_taught_by(self.vincent)), [])
        self.assertNotIn("vincent.garnier", self.names(queries.teachers_of_class(self.school.college.classes["5e A"])))


class EstablishmentRelationTests(RelationTestCase):
    def test_people_with_a_role(self):
        """People holding a role in an establishment now, by name."""
        college, lycee = self.school.college.establishment, self.school.lycee.establishment
        for establishment, role, expected in [
            (college, Role.TEACHER, ["sophie.bernard", "paul.dupont", "vincent.garnier"]),
            (college, Role.GUARDIAN, ["sophie.bernard", "thomas.girard", "claire.martin"]),
            (college, Role.STUDENT, ["lea.bernard", "zoe.fontaine", "ines.girard", "lucas.martin"]),
            (lycee, Role.TEACHER, ["paul.dupont"]),
            (lycee, Role.STUDENT, ["emma.martin"]),
            (college, Role.REGIONAL_ADMIN, []),
        ]:
            with self.subTest(establishment=establishment.name, role=role):
                self.assertEqual(self.names(queries.people_with_role(establishment, role)), expected)

    def test_school_life_and_direction(self):
        """The collège's vie scolaire is Nadia and its direction Marc; the lycée has neither here."""
        college, lycee = self.school.college.establishment, self.school.lycee.establishment
        self.assertEqual(self.names(queries.school_life_staff(college)), ["nadia.petit"])
        self.assertEqual(self.names(queries.direction_of(college)), ["marc.leroy"])
        self.assertEqual(self.names(queries.school_life_staff(lycee)), [])
        self.assertEqual(self.names(queries.direction_of(lycee)), [])

    def test_establishments_visible_to_an_actor(self):
        """The establishments an actor may see, with their academy, in one query once the actor is loaded."""
        for username, expected in [
            ("claire.martin", ["Collège Louis Pasteur", "Lycée agricole de Metz-Courcelles"]),
            ("charlie.roux", ["Collège Jules Ferry"]),
            ("admin.region", ["Collège Jules Ferry", "Collège Louis Pasteur", "Lycée agricole de Metz-Courcelles"]),
        ]:
            with self.subTest(username=username):
                actor = self.actor(username)
                actor.memberships  # noqa: B018  (loaded once per request by the middleware's actor)
                with self.assertNumQueries(1):
                    found = [(e.name, e.academy.name) for e in queries.establishments_visible_to(actor)]
                self.assertEqual([name for name, _ in found], expected)
                self.assertEqual({academy for _, academy in found}, {"Académie de Nancy-Metz"})

    def test_directory_page_lists_what_the_actor_may_see_here(self):
        """The annuaire page of the collège for its principal: everyone active there, in three queries."""
        actor = self.actor("marc.leroy")
        actor.memberships  # noqa: B018
        with self.assertNumQueries(3):  # count, page, memberships here
            page = queries.directory_page(actor)
            rows = [(u.username, [m.role for m in u.memberships_here]) for u in page]
        self.assertIn(("sophie.bernard", [Role.GUARDIAN, Role.TEACHER]), rows)
        self.assertNotIn("charlie.roux", [u for u, _ in rows])
        lucas = self.actor("lucas.martin")
        seen_by_lucas = [u.username for u in queries.directory_page(lucas)]
        self.assertNotIn("lea.bernard", seen_by_lucas)
        self.assertIn("paul.dupont", seen_by_lucas)
