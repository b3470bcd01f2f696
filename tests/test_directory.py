"""The directory's invariants are held by the database itself: a bad row raises IntegrityError."""

import datetime as dt

from django.db import DataError, IntegrityError, transaction

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.models import (
    Academy,
    Enrolment,
    Establishment,
    ExternalIdentifier,
    Group,
    GroupMembership,
    Guardianship,
    Membership,
    Period,
    Role,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
)
from tests.support import EVERYONE
from tests.support.personas import PersonaTestCase


class ConstraintTests(PersonaTestCase):
    def assert_refused(self, make, label, errors=IntegrityError):
        """``make()`` writes a row the database must refuse."""
        with self.subTest(label), self.assertRaises(errors), transaction.atomic():
            make()

    def assert_accepted(self, make, label):
        with self.subTest(label), transaction.atomic():
            make()

    def test_uai_is_seven_digits_and_a_capital_letter(self):
        """An establishment's UAI follows the national format and is unique."""
        academy = self.school.academy

        def establishment(uai):
            return lambda: Establishment.objects.create(academy=academy, uai=uai, name="Essai", kind="college")

        for uai in ["054004K", "0540042k", "05400421", "A540042K", ""]:
            self.assert_refused(establishment(uai), f"UAI {uai!r}")
        # Too long: PostgreSQL refuses it for its length (DataError) before the check (IntegrityError).
        self.assert_refused(establishment("0540042KK"), "UAI '0540042KK'", errors=(IntegrityError, DataError))
        self.assert_refused(establishment("0540042K"), "UAI already used")
        self.assert_accepted(establishment("0541234Z"), "a well-formed new UAI")

    def test_academy_code_is_unique(self):
        """Two academies cannot share a code."""
        self.assert_refused(lambda: Academy.objects.create(code="NANCY-METZ", name="Doublon"), "academy code")

    def test_a_regional_membership_has_no_establishment_and_others_have_one(self):
        """Regional administrators belong to the region; every other role to an establishment."""
        lucas, college = self.people["lucas.martin"], self.school.college.establishment
        self.assert_refused(
            lambda: Membership.objects.create(person=lucas, establishment=college, role=Role.REGIONAL_ADMIN),
            "regional role in an establishment",
        )
        for role in [r for r in Role.values if r != Role.REGIONAL_ADMIN]:
            self.assert_refused(
                lambda role=role: Membership.objects.create(person=lucas, establishment=None, role=role),
                f"{role} without an establishment",
            )

    def test_a_membership_is_held_once(self):
        """The same person cannot hold the same role twice in one place, the region included."""
        lucas, college = self.people["lucas.martin"], self.school.college.establishment
        self.assert_refused(
            lambda: Membership.objects.create(person=lucas, establishment=college, role=Role.STUDENT),
            "same role twice in the collège",
        )
        self.assert_refused(
            lambda: Membership.objects.create(
                person=self.people["admin.region"], establishment=None, role=Role.REGIONAL_ADMIN
            ),
            "regional role twice",
        )
        self.assert_accepted(
            lambda: Membership.objects.create(person=lucas, establishment=college, role=Role.GUARDIAN),
            "another role in the same establishment",
        )

    def test_dated_rows_end_after_they_start(self):
        """Memberships, enrolments, school years and periods cannot end before they start."""
        college = self.school.college
        lucas, four_b = self.people["lucas.martin"], college.classes["4e B"]
        start = dt.date(2026, 9, 1)
        before = start - dt.timedelta(days=1)
        self.assert_refused(
            lambda: Membership.objects.create(
                person=lucas, establishment=college.establishment, role=Role.GUARDIAN, start_date=start, end_date=before
            ),
            "membership",
        )
        self.assert_refused(
            lambda: Enrolment.objects.create(
                establishment=college.establishment,
                student=lucas,
                school_class=four_b,
                start_date=start,
                end_date=before,
            ),
            "enrolment",
        )
        self.assert_refused(
            lambda: SchoolYear.objects.create(
                establishment=college.establishment, label="2030-2031", start_date=start, end_date=start
            ),
            "school year",
        )
        self.assert_refused(
            lambda: Period.objects.create(
                establishment=college.establishment,
                school_year=college.year,
                name="4e trimestre",
                position=4,
                start_date=start,
                end_date=before,
            ),
            "period",
        )
        self.assert_accepted(
            lambda: Membership.objects.create(
                person=lucas, establishment=college.establishment, role=Role.GUARDIAN, start_date=start, end_date=start
            ),
            "a one-day membership",
        )

    def test_school_years_and_periods_are_unique(self):
        """One label per school year and establishment, one position per period in a year."""
        college = self.school.college
        year = college.year
        self.assert_refused(
            lambda: SchoolYear.objects.create(
                establishment=college.establishment,
                label=year.label,
                start_date=year.start_date,
                end_date=year.end_date,
            ),
            "school year label",
        )
        first = college.periods[0]
        self.assert_refused(
            lambda: Period.objects.create(
                establishment=college.establishment,
                school_year=year,
                name="Doublon",
                position=first.position,
                start_date=first.start_date,
                end_date=first.end_date,
            ),
            "period position",
        )

    def test_guardianship_is_never_of_oneself_and_held_once(self):
        """A person is not their own guardian, and a guardian is linked to a child once."""
        claire, lucas = self.people["claire.martin"], self.people["lucas.martin"]
        self.assert_refused(
            lambda: Guardianship.objects.create(guardian=claire, student=claire, relationship="other"), "self"
        )
        self.assert_refused(
            lambda: Guardianship.objects.create(guardian=claire, student=lucas, relationship="mother"), "twice"
        )

    def test_a_teaching_assignment_is_for_a_class_or_a_group(self):
        """A teacher teaches a subject to exactly one of: a class, a group; never the same one twice."""
        college = self.school.college
        paul, maths = self.people["paul.dupont"], college.subjects["MATH"]
        four_b = college.classes["4e B"]
        from cartable.directory.models import Group

        latin = Group.objects.get(name="Latin 5e")

        def assignment(**target):
            return lambda: TeachingAssignment.objects.create(
                establishment=college.establishment, teacher=paul, subject=maths, **target
            )

        self.assert_refused(assignment(), "neither class nor group")
        self.assert_refused(assignment(school_class=four_b, group=latin), "both class and group")
        self.assert_refused(assignment(school_class=college.classes["5e A"]), "same class and subject twice")
        self.assert_accepted(assignment(group=latin), "a group")
        self.assert_refused(assignment(group=latin), "same group and subject twice")
        self.assert_accepted(assignment(school_class=four_b), "another class")

    def test_enrolments_and_group_memberships_are_unique(self):
        """A student is enrolled in a class once, and in a group once."""
        college = self.school.college
        lucas = self.people["lucas.martin"]
        from cartable.directory.models import Group

        latin = Group.objects.get(name="Latin 5e")
        self.assert_refused(
            lambda: Enrolment.objects.create(
                establishment=college.establishment, student=lucas, school_class=college.classes["5e A"]
            ),
            "enrolment",
        )
        self.assert_refused(
            lambda: GroupMembership.objects.create(establishment=college.establishment, student=lucas, group=latin),
            "group membership",
        )

    def test_names_and_codes_are_unique_per_establishment(self):
        """Class, group and subject names repeat across establishments but not inside one."""
        college, lycee = self.school.college, self.school.lycee
        self.assert_refused(
            lambda: SchoolClass.objects.create(
                establishment=college.establishment, school_year=college.year, name="5e A", level="5e"
            ),
            "class name",
        )
        self.assert_refused(
            lambda: Subject.objects.create(establishment=college.establishment, code="MATH", name="Maths bis"),
            "subject code",
        )
        self.assert_accepted(
            lambda: SchoolClass.objects.create(
                establishment=lycee.establishment, school_year=lycee.year, name="5e A", level="5e"
            ),
            "the same class name elsewhere",
        )

    def test_external_identifiers_are_unique(self):
        """An external identifier names one person, and a person has one per source."""
        lucas, lea = self.people["lucas.martin"], self.people["lea.bernard"]
        ExternalIdentifier.objects.create(person=lucas, source="ine", value="123456789AB")
        self.assert_refused(
            lambda: ExternalIdentifier.objects.create(person=lea, source="ine", value="123456789AB"), "same value"
        )
        self.assert_refused(
            lambda: ExternalIdentifier.objects.create(person=lucas, source="ine", value="999999999ZZ"), "per source"
        )
        self.assert_accepted(
            lambda: ExternalIdentifier.objects.create(person=lea, source="aaf", value="123456789AB"),
            "the same value from another source",
        )


class PlacePolicyTests(PersonaTestCase):
    """Groups, subjects and periods: who sees them (both faces of each policy agree) and who changes them."""

    everyone = EVERYONE

    def faces(self, model, username):
        actor = self.actor(username)
        visible = set(model.objects.visible_to(actor).values_list("pk", flat=True))
        allowed = {obj.pk for obj in model.objects.all() if authz.allows(actor, Action.VIEW, obj)}
        self.assertEqual(visible, allowed, f"{model.__name__}: scope and allows disagree for {username}")
        return visible

    def test_who_sees_the_latin_group(self):
        """The collège's staff, the group's student and his guardian, and the region see Latin 5e; the
        class's other students, other families and charlie do not. The timetable's group week agrees."""
        from cartable.timetable import policies as timetable

        latin = Group.objects.get(name="Latin 5e")
        sees = {"lucas.martin", "claire.martin", "admin.region"} | {
            "paul.dupont",
            "sophie.bernard",
            "nadia.petit",
            "marc.leroy",
            "julie.moreau",
        }
        for username in self.everyone:
            with self.subTest(username=username):
                self.assertIs(latin.pk in self.faces(Group, username), username in sees)
                self.assertIs(timetable.can_view_group_week(self.actor(username), latin), username in sees)

    def test_who_sees_subjects_and_periods(self):
        """An establishment's subjects and periods are read by its members and by the guardians of its
        students; charlie's establishment shows him only its own."""
        college = self.school.college.establishment
        other = self.school.other.establishment
        for model in (Subject, Period):
            college_rows = set(model.objects.filter(establishment=college).values_list("pk", flat=True))
            other_rows = set(model.objects.filter(establishment=other).values_list("pk", flat=True))
            self.assertTrue(college_rows and other_rows)
            for username in self.everyone:
                with self.subTest(model=model.__name__, username=username):
                    visible = self.faces(model, username)
                    in_college = username not in {"emma.martin", "charlie.roux", "nathalie.lambert", "hugo.lambert"}
                    self.assertEqual(college_rows <= visible, in_college)
                    in_other = username in {"admin.region", "charlie.roux", "nathalie.lambert", "hugo.lambert"}
                    self.assertEqual(bool(other_rows & visible), in_other)

    def test_who_changes_groups_subjects_and_periods(self):
        """Only the collège's direction, its ENT administrator and the region change them."""
        college = self.school.college.establishment
        rows = [
            Group.objects.get(name="Latin 5e"),
            Subject.objects.filter(establishment=college).first(),
            Period.objects.filter(establishment=college).first(),
        ]
        for username in self.everyone:
            for row in rows:
                for action in (Action.CHANGE, Action.MANAGE, Action.CREATE, Action.DELETE):
                    expected = username == "admin.region" or (
                        action in (Action.CHANGE, Action.MANAGE) and username in {"marc.leroy", "julie.moreau"}
                    )
                    with self.subTest(username=username, row=type(row).__name__, action=action):
                        self.assertIs(authz.allows(self.actor(username), action, row), expected)
