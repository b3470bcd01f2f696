"""The timetable's reads and rules: weeks A and B, validity, non-school days, every kind of change, the
weeks of a class, group, teacher, room and student, a person's own lessons, and who sees or edits what."""

import datetime as dt

from django.core.cache import cache

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.models import Enrolment, Group
from cartable.timetable import policies, queries
from cartable.timetable.models import LessonChange, NonSchoolDay, Room, Slot
from tests.support.timetable import MONDAY_A, MONDAY_B, T, TimetableCase


class LessonTests(TimetableCase):
    def test_a_and_b_weeks_alternate(self):
        """Friday 10:15 is maths on A weeks and French on B weeks; weekly lessons come every week."""
        week_a, week_b = self.class_week(MONDAY_A), self.class_week(MONDAY_B)
        self.assertEqual((week_a.label, week_b.label), ("A", "B"))
        friday = {w.label: [lesson.subject_name for lesson in w.days[4].lessons] for w in (week_a, week_b)}
        self.assertEqual(friday, {"A": ["Mathématiques"], "B": ["Français"]})
        self.assertEqual(len(week_a.lessons), len(week_b.lessons))
        self.assertEqual([d.date.weekday() for d in week_a.days], [0, 1, 2, 3, 4])

    def test_without_settings_every_week_is_an_a_week_and_has_no_label(self):
        """An establishment that set no A week shows no label and keeps its A-week lessons."""
        found = queries.week_of_student(
            student_id=self.people["emma.martin"].pk,
            establishment_id=self.school.lycee.establishment.pk,
            monday=MONDAY_B,
        )
        self.assertEqual(found.label, "")
        self.assertEqual([lesson.subject_name for lesson in found.lessons], ["Mathématiques"])

    def test_validity_dates_bound_a_weekly_lesson(self):
        """A weekly lesson appears only from its first date to its last."""
        Slot.objects.filter(pk=self.tt["math_monday"].pk).update(valid_until=MONDAY_A + dt.timedelta(days=3))
        Slot.objects.filter(pk=self.tt["french_tuesday"].pk).update(valid_from=MONDAY_B)
        this_week = [lesson.key for lesson in self.class_week(MONDAY_A).lessons]
        next_week = [lesson.key for lesson in self.class_week(MONDAY_B).lessons]
        self.assertIn(f"{self.tt['math_monday'].pk}:{MONDAY_A}", this_week)
        self.assertFalse(any(k.startswith(f"{self.tt['math_monday'].pk}:") for k in next_week))
        self.assertFalse(any(k.startswith(f"{self.tt['french_tuesday'].pk}:") for k in this_week))
        self.assertTrue(any(k.startswith(f"{self.tt['french_tuesday'].pk}:") for k in next_week))

    def test_non_school_days_have_no_lessons_and_say_why(self):
        """A non-school day hides its lessons, exceptional ones included, and shows its label."""
        tuesday = MONDAY_A + dt.timedelta(days=1)
        NonSchoolDay.objects.create(establishment=self.college, label="Pont", start_date=tuesday, end_date=tuesday)
        LessonChange.objects.create(
            establishment=self.college,
            kind=LessonChange.Kind.EXCEPTIONAL,
            assignment=self.tt["math"],
            date=tuesday,
            start_time=T(14),
            end_time=T(15),
        )
        week = self.class_week()
        self.assertEqual(week.days[1].closed_label, "Pont")
        self.assertEqual(week.days[1].lessons, [])
        self.assertEqual(len(week.days[0].lessons), 1)

    def test_each_kind_of_change_reads_in_words(self):
        """Cancelled, room changed, substituted and exceptional lessons each say what changed."""
        self.change("math_monday", MONDAY_A, LessonChange.Kind.CANCELLED, note="Sortie")
        self.change("french_tuesday", MONDAY_A + dt.timedelta(days=1), LessonChange.Kind.ROOM, room=self.tt["b12"])
        self.change(
            "latin_thursday",
            MONDAY_A + dt.timedelta(days=3),
            LessonChange.Kind.SUBSTITUTE,
            substitute=self.people["paul.dupont"],
        )
        extra = LessonChange.objects.create(
            establishment=self.college,
            kind=LessonChange.Kind.EXCEPTIONAL,
            assignment=self.tt["math"],
            date=MONDAY_A + dt.timedelta(days=2),
            start_time=T(14),
            end_time=T(15),
            room=self.tt["c3"],
        )
        by_day = {lesson.date.weekday(): lesson for lesson in self.class_week().lessons if lesson.is_changed}
        self.assertEqual(by_day[0].change_text, "Annulé")
        self.assertTrue(by_day[0].is_cancelled)
        self.assertEqual(by_day[0].note, "Sortie")
        self.assertEqual(by_day[1].change_text, "Salle modifiée : C3 → B12")
        self.assertEqual(by_day[1].room_name, "B12")
        self.assertEqual(by_day[3].change_text, "Remplacé par M. Paul Dupont")
        self.assertEqual(by_day[3].teacher_name, "M. Paul Dupont")
        self.assertEqual(by_day[2].change_text, "Cours exceptionnel")
        self.assertEqual((by_day[2].key, by_day[2].start_time, by_day[2].room_name), (f"x{extra.pk}", T(14), "C3"))

    def test_a_substitute_sees_the_lesson_in_their_own_week(self):
        """paul.dupont replacing Latin finds it in his week; sophie.bernard's week shows she is replaced."""
        thursday = MONDAY_A + dt.timedelta(days=3)
        self.change("latin_thursday", thursday, LessonChange.Kind.SUBSTITUTE, substitute=self.people["paul.dupont"])
        paul = queries.week_of_teacher(
            teacher_id=self.people["paul.dupont"].pk, establishment_id=self.college.pk, monday=MONDAY_A
        )
        sophie = queries.week_of_teacher(
            teacher_id=self.people["sophie.bernard"].pk, establishment_id=self.college.pk, monday=MONDAY_A
        )
        self.assertIn("Latin 5e", [lesson.audience_name for lesson in paul.days[3].lessons])
        latin = next(lesson for lesson in sophie.days[3].lessons if lesson.audience_name == "Latin 5e")
        self.assertEqual(latin.status, LessonChange.Kind.SUBSTITUTE)
        next_week = queries.week_of_teacher(
            teacher_id=self.people["paul.dupont"].pk, establishment_id=self.college.pk, monday=MONDAY_B
        )
        self.assertNotIn("Latin 5e", [lesson.audience_name for lesson in next_week.lessons])

    def test_an_exceptional_lesson_given_by_a_substitute_is_in_the_substitute_week(self):
        """An exceptional lesson assured by another teacher appears in that teacher's week."""
        LessonChange.objects.create(
            establishment=self.college,
            kind=LessonChange.Kind.EXCEPTIONAL,
            assignment=self.tt["math"],
            date=MONDAY_A + dt.timedelta(days=2),
            start_time=T(14),
            end_time=T(15),
            substitute=self.people["sophie.bernard"],
        )
        sophie = queries.week_of_teacher(
            teacher_id=self.people["sophie.bernard"].pk, establishment_id=self.college.pk, monday=MONDAY_A
        )
        wednesday = [lesson.subject_name for lesson in sophie.days[2].lessons]
        self.assertIn("Mathématiques", wednesday)

    def test_a_room_week_holds_its_lessons_and_those_moved_into_it(self):
        """C3 holds its weekly lessons and the maths moved there; the lesson moved out still shows, changed."""
        self.change("math_monday", MONDAY_A, LessonChange.Kind.ROOM, room=self.tt["c3"])
        self.change("french_tuesday", MONDAY_A + dt.timedelta(days=1), LessonChange.Kind.ROOM, room=self.tt["b12"])
        c3 = queries.week_of_room(room=self.tt["c3"], monday=MONDAY_A)
        monday = c3.days[0].lessons
        self.assertEqual([lesson.subject_name for lesson in monday], ["Mathématiques"])
        self.assertEqual(c3.days[1].lessons[0].change_text, "Salle modifiée : C3 → B12")
        b12_next = queries.week_of_room(room=self.tt["b12"], monday=MONDAY_B)
        self.assertEqual([lesson.date.weekday() for lesson in b12_next.lessons], [0])  # B week: no Friday maths

    def test_a_students_week_has_their_classes_and_groups(self):
        """Lucas (5e A and Latin) has the Latin lesson; Léa (5e A only) does not; a group's week is its own."""
        lucas = queries.week_of_student(
            student_id=self.people["lucas.martin"].pk, establishment_id=self.college.pk, monday=MONDAY_A
        )
        lea = queries.week_of_student(
            student_id=self.people["lea.bernard"].pk, establishment_id=self.college.pk, monday=MONDAY_A
        )
        self.assertIn("Latin 5e", [lesson.audience_name for lesson in lucas.lessons])
        self.assertNotIn("Latin 5e", [lesson.audience_name for lesson in lea.lessons])
        latin = queries.week_of_group(group=Group.objects.get(name="Latin 5e"), monday=MONDAY_A)
        self.assertEqual([lesson.audience_name for lesson in latin.lessons], ["Latin 5e"])
        self.assertIn("Latin 5e", [lesson.audience_name for lesson in self.class_week().lessons])

    def test_a_week_costs_four_queries_whatever_the_data(self):
        """Slots, changes, non-school days, settings: four queries for 7 slots or 200."""
        with self.assertNumQueries(4):
            self.class_week()
        slots = [
            Slot(
                establishment=self.college,
                assignment=self.tt["math"],
                weekday=i % 5,
                start_time=T(7 + i % 10),
                end_time=T(8 + i % 10),
                valid_from=self.school.college.year.start_date,
            )
            for i in range(200)
        ]
        Slot.objects.bulk_create(slots)
        for slot in Slot.objects.filter(assignment=self.tt["math"])[:20]:
            LessonChange.objects.create(
                establishment=self.college, slot=slot, date=MONDAY_A + dt.timedelta(days=slot.weekday), kind="cancelled"
            )
        cache.clear()
        with self.assertNumQueries(4):  # slots, changes, non-school days, settings
            week = self.class_week()
        self.assertGreater(len(week.lessons), 200)
        with self.assertNumQueries(2):  # the non-school days and the settings are cached per establishment
            self.class_week()


class ActorLessonsTests(TimetableCase):
    def subjects(self, username, **kw):
        actor = self.actor(username, **{k: v for k, v in kw.items() if k in ("role", "establishment")})
        found = queries.lessons_for_actor(
            actor, MONDAY_A, MONDAY_A + dt.timedelta(days=6), all_children=kw.get("all", False)
        )
        return found

    def test_each_person_gets_their_own_lessons(self):
        """A student's, a guardian's active child's or all children's, a teacher's in both schools; staff none."""
        lucas = self.subjects("lucas.martin")
        self.assertEqual(len(lucas), 4)
        claire = self.subjects("claire.martin")
        self.assertEqual([x.key for x in claire], [x.key for x in lucas])
        both = self.subjects("claire.martin", all=True)
        self.assertEqual(len(both), 5)
        self.assertEqual({tuple(x.extra["children"]) for x in both}, {("Lucas",), ("Emma",)})
        paul = self.subjects("paul.dupont")
        self.assertEqual(sorted(x.audience_name for x in paul), ["2nde GT 1", "5e A", "5e A"])
        self.assertEqual(self.subjects("marc.leroy"), [])
        self.assertEqual(self.subjects("charlie.roux"), [])

    def test_a_guardian_sees_the_active_childs_day_in_four_queries(self):
        """The dashboard's day costs four queries once the actor is loaded."""
        actor = self.actor("claire.martin")
        actor.children  # noqa: B018  (loaded by the page already)
        with self.assertNumQueries(4):
            day = queries.day_of_actor(actor, MONDAY_A)
        self.assertEqual([lesson.subject_name for lesson in day.lessons], ["Mathématiques"])


class PolicyTests(TimetableCase):
    PEOPLE = [
        "lucas.martin",
        "lea.bernard",
        "ines.girard",
        "claire.martin",
        "thomas.girard",
        "paul.dupont",
        "sophie.bernard",
        "nadia.petit",
        "marc.leroy",
        "julie.moreau",
        "admin.region",
        "charlie.roux",
    ]

    def matrix(self, check, allowed):
        for username in self.PEOPLE:
            with self.subTest(who=username):
                self.assertIs(check(self.actor(username)), username in allowed)

    def test_who_sees_a_class_week(self):
        """5e A: its students, their guardians, the collège's staff (its teachers among them), the region."""
        staff = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        self.matrix(
            lambda a: policies.can_view_class_week(a, self.five_a),
            staff | {"lucas.martin", "lea.bernard", "claire.martin"},
        )

    def test_who_sees_a_group_week(self):
        """Latin 5e: its students, their guardians and the staff."""
        latin = Group.objects.get(name="Latin 5e")
        staff = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        self.matrix(lambda a: policies.can_view_group_week(a, latin), staff | {"lucas.martin", "claire.martin"})

    def test_who_sees_a_teacher_week(self):
        """paul.dupont's week at the collège: himself and the collège's staff."""
        paul = self.people["paul.dupont"].pk
        staff = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        self.matrix(lambda a: policies.can_view_teacher_week(a, paul, self.college.pk), staff)

    def test_who_sees_a_room_week(self):
        """A room's week: the staff only."""
        staff = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        self.matrix(lambda a: policies.can_view_room_week(a, self.tt["b12"]), staff)
        self.matrix(lambda a: authz.allows(a, Action.VIEW, self.tt["b12"]), staff)

    def test_who_sees_a_student_week(self):
        """Lucas's week: Lucas, his mother, the collège's staff."""
        lucas = self.people["lucas.martin"].pk
        staff = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        self.matrix(
            lambda a: policies.can_view_student_week(a, lucas, self.college.pk),
            staff | {"lucas.martin", "claire.martin"},
        )

    def test_the_weeks_named_permissions_answer_as_their_rules(self):
        """The pages ask the weeks by name (timetable.view_group_week...); each answers as the rule it names."""
        latin = Group.objects.get(name="Latin 5e")
        staff = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        lucas = self.people["lucas.martin"]
        enrolment = Enrolment.objects.get(student=lucas, establishment=self.college)
        self.matrix(
            lambda a: authz.can(a, "timetable.view_group_week", latin), staff | {"lucas.martin", "claire.martin"}
        )
        self.matrix(
            lambda a: authz.can(a, "timetable.view_student_week", enrolment), staff | {"lucas.martin", "claire.martin"}
        )
        self.matrix(
            lambda a: authz.can(a, "timetable.edit", self.college),
            {"nadia.petit", "marc.leroy", "julie.moreau", "admin.region"},
        )
        self.matrix(lambda a: authz.can(a, "timetable.browse_weeks", self.college), staff)
        self.matrix(lambda a: authz.can(a, "timetable.edit", None), set())
        # Asked about a teacher of the active establishment (the page finds them there first): its staff say yes,
        # charlie's for his own; the region acts nowhere in particular.
        staff_somewhere = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau", "charlie.roux"}
        self.matrix(lambda a: authz.can(a, "timetable.view_teacher_week", self.people["paul.dupont"]), staff_somewhere)

    def test_who_edits_the_timetable(self):
        """Direction, ENT administrator, vie scolaire and the region; teachers and families do not."""
        editors = {"nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        change = self.change("math_monday", MONDAY_A, LessonChange.Kind.CANCELLED)
        day = NonSchoolDay.objects.create(
            establishment=self.college, label="Pont", start_date=MONDAY_A, end_date=MONDAY_A
        )
        for obj in [change, day, self.tt["math_monday"], self.tt["b12"]]:
            with self.subTest(model=type(obj).__name__):
                self.matrix(lambda a, obj=obj: authz.allows(a, Action.CHANGE, obj), editors)
        self.matrix(lambda a: policies.can_edit(a, self.college.pk), editors)

    def test_who_sees_a_change_both_faces_agreeing(self):
        """A change of 5e A is seen by those who see the class; the scope agrees with allows."""
        change = self.change("math_monday", MONDAY_A, LessonChange.Kind.CANCELLED)
        seen = {"lucas.martin", "lea.bernard", "claire.martin", "paul.dupont", "sophie.bernard", "nadia.petit"}
        seen |= {"marc.leroy", "julie.moreau", "admin.region"}
        self.matrix(lambda a: authz.allows(a, Action.VIEW, change), seen)
        for model, obj in [(LessonChange, change), (Slot, self.tt["math_monday"]), (Room, self.tt["b12"])]:
            for username in self.PEOPLE:
                with self.subTest(model=model.__name__, who=username):
                    actor = self.actor(username)
                    in_scope = model.objects.visible_to(actor).filter(pk=obj.pk).exists()
                    self.assertIs(in_scope, authz.allows(actor, Action.VIEW, obj))
