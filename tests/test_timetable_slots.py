"""Weekly lessons and rooms edited by staff: who may, the overlap checks, past weeks kept, audit, pages."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.core.models import AuditEvent
from cartable.directory.models import Group, Subject, TeachingAssignment
from cartable.timetable import actions, queries
from cartable.timetable.models import LessonChange, Room, Slot, Weeks
from tests.support.timetable import MONDAY_A, MONDAY_B, T, TimetableCase

EDITORS = ("marc.leroy", "julie.moreau", "nadia.petit")
OTHERS = ("paul.dupont", "sophie.bernard", "lucas.martin", "claire.martin", "charlie.roux")


class SlotCase(TimetableCase):
    def new_slot(self, who="marc.leroy", assignment="math", **fields):
        values = {
            "weekday": 2,
            "start_time": T(14),
            "end_time": T(15),
            "valid_from": MONDAY_A,
            "room": None,
            "weeks": Weeks.ALL,
        } | fields
        return actions.create_slot(
            actor=self.actor(who), establishment=self.college, assignment=self.tt[assignment], **values
        )

    def assignment(self, teacher, code, **target):
        return TeachingAssignment.objects.create(
            establishment=self.college,
            teacher=self.people[teacher],
            subject=Subject.objects.get(establishment=self.college, code=code),
            start_date=self.school.college.year.start_date,
            **target,
        )

    def times(self, monday, slot_prefix=None):
        """The (weekday, start) of 5e A's maths lessons that week."""
        week = queries.week_of_class(school_class=self.five_a, monday=monday)
        return sorted(
            (lesson.date.weekday(), lesson.start_time)
            for lesson in week.lessons
            if lesson.subject_name == "Mathématiques"
        )


class PermissionTests(SlotCase):
    def test_who_may_create_change_and_end_weekly_lessons_and_manage_rooms(self):
        """Direction, ENT admin and vie scolaire may; teachers, students, guardians and charlie.roux get 404."""
        slot = self.tt["math_monday"]
        for username, allowed in [*((u, True) for u in EDITORS), *((u, False) for u in OTHERS)]:
            self.login(username)
            spare = Room.objects.create(establishment=self.college, name=f"Libre {username}")
            pages = {
                "create": self.client.get(reverse("timetable:create_slot")),
                "edit": self.client.get(reverse("timetable:edit_slot", args=[slot.pk])),
                "rooms": self.client.get(reverse("timetable:rooms")),
                "add room": self.client.post(reverse("timetable:rooms"), {"new-name": f"Neuve {username}"}),
                "delete room": self.client.post(reverse("timetable:delete_room", args=[spare.pk])),
                "end": self.client.post(
                    reverse("timetable:edit_slot", args=[self.tt["latin_thursday"].pk]),
                    {"last_day": self.school.college.year.end_date.isoformat()},
                ),
            }
            for name, response in pages.items():
                with self.subTest(username=username, page=name):
                    if allowed:
                        self.assertIn(response.status_code, (200, 302))
                    else:
                        self.assertEqual(response.status_code, 404)
            with self.subTest(username=username, check="rows"):
                self.assertEqual(Room.objects.filter(name=f"Neuve {username}").exists(), allowed)
                self.assertEqual(Room.objects.filter(pk=spare.pk).exists(), not allowed)

    def test_actions_refuse_those_who_may_not_edit(self):
        """The actions check rights themselves, whatever page calls them."""
        for username in OTHERS:
            actor = self.actor(username)
            with self.subTest(username=username):
                with self.assertRaises(PermissionDenied):
                    self.new_slot(username)
                with self.assertRaises(PermissionDenied):
                    actions.end_slot(actor=actor, slot=self.tt["math_monday"], last_day=MONDAY_B)
                with self.assertRaises(PermissionDenied):
                    actions.create_room(actor=actor, establishment=self.college, name="Z1")
                with self.assertRaises(PermissionDenied):
                    actions.rename_room(actor=actor, room=self.tt["b12"], name="Z2")
                with self.assertRaises(PermissionDenied):
                    actions.delete_room(actor=actor, room=self.tt["c3"])

    def test_the_module_switch_hides_the_new_pages(self):
        """With the timetable module off, the lesson form and the rooms page answer 404."""
        self.college.module_settings = {"timetable": False}
        self.college.save()
        self.login("marc.leroy")
        for url in (reverse("timetable:create_slot"), reverse("timetable:rooms")):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


class SlotActionTests(SlotCase):
    def test_each_action_is_audited(self):
        """Creating, changing and ending lessons, creating, renaming and deleting rooms leave an audit row."""
        actor = self.actor("nadia.petit")
        slot = self.new_slot("nadia.petit")
        version = actions.update_slot(
            actor=actor,
            slot=slot,
            assignment=slot.assignment,
            weekday=2,
            start_time=T(15),
            end_time=T(16),
            valid_from=MONDAY_B,
        )
        actions.end_slot(actor=actor, slot=version, last_day=MONDAY_B + dt.timedelta(days=30))
        room = actions.create_room(actor=actor, establishment=self.college, name="D4", capacity=30)
        actions.rename_room(actor=actor, room=room, name="D5", capacity=28)
        actions.delete_room(actor=actor, room=room)
        verbs = list(
            AuditEvent.objects.filter(verb__in=[f"timetable.{v}" for v in ("create_slot", "update_slot", "end_slot")])
            .order_by("pk")
            .values_list("verb", "target_id")
        )
        self.assertEqual(
            verbs,
            [
                ("timetable.create_slot", str(slot.pk)),
                ("timetable.update_slot", str(version.pk)),
                ("timetable.end_slot", str(version.pk)),
            ],
        )
        rooms = AuditEvent.objects.filter(target_id=str(room.pk), verb__endswith="_room").order_by("pk")
        self.assertEqual(
            [e.verb for e in rooms], ["timetable.create_room", "timetable.rename_room", "timetable.delete_room"]
        )

    def test_bad_times_weekdays_and_foreign_rows_are_refused(self):
        """End before start, Sunday, another establishment's assignment or room: a clear French message."""
        lycee = self.school.lycee.establishment
        foreign_room = Room.objects.create(establishment=lycee, name="L1")
        math_lycee = TeachingAssignment.objects.get(teacher=self.people["paul.dupont"], establishment=lycee)
        cases = [
            ({"start_time": T(10), "end_time": T(9)}, "L'heure de fin doit suivre"),
            ({"weekday": 6}, "du lundi au samedi"),
            ({"room": foreign_room}, "Cette salle n'appartient pas"),
        ]
        for fields, message in cases:
            with self.subTest(fields=fields), self.assertRaisesMessage(ValidationError, message):
                self.new_slot(**fields)
        with self.assertRaisesMessage(ValidationError, "n'appartient pas à l'établissement"):
            actions.create_slot(
                actor=self.actor("marc.leroy"),
                establishment=self.college,
                assignment=math_lycee,
                weekday=2,
                start_time=T(14),
                end_time=T(15),
                valid_from=MONDAY_A,
            )

    def test_overlaps_with_the_same_teacher_pupils_or_room_are_refused_naming_the_other_lesson(self):
        """Same teacher, same class, a group drawn from the class, same room: refused, the other lesson named."""
        latin = Group.objects.get(name="Latin 5e")
        math_4b = self.assignment("paul.dupont", "MATH", school_class=self.school.college.classes["4e B"])
        math_latin = self.assignment("paul.dupont", "MATH", group=latin)
        cases = [
            # paul.dupont already teaches 5e A on Monday at 8:00
            (math_4b, {"weekday": 0, "start_time": T(8, 30), "end_time": T(9, 30)}, "même enseignant"),
            # 5e A has French on Tuesday at 9:00 (sophie.bernard)
            (self.tt["math"], {"weekday": 1, "start_time": T(9, 30), "end_time": T(10, 30)}, "mêmes élèves"),
            # the Latin group, drawn from 5e A, has Latin on Thursday at 15:45
            (self.tt["math"], {"weekday": 3, "start_time": T(15), "end_time": T(16)}, "mêmes élèves"),
            (math_latin, {"weekday": 1, "start_time": T(9), "end_time": T(10)}, "mêmes élèves"),
            # C3 hosts 4e B's French on Wednesday at 8:00
            (
                self.tt["math"],
                {"weekday": 2, "start_time": T(8), "end_time": T(9), "room": self.tt["c3"]},
                "même salle",
            ),
        ]
        for assignment, fields, reason in cases:
            with self.subTest(reason=reason, fields=fields):
                values = {"valid_from": MONDAY_A} | fields
                with self.assertRaises(ValidationError) as caught:
                    actions.create_slot(
                        actor=self.actor("marc.leroy"), establishment=self.college, assignment=assignment, **values
                    )
                self.assertIn(reason, caught.exception.messages[0])
                self.assertIn("Ce cours en chevauche un autre", caught.exception.messages[0])
        with self.assertRaises(ValidationError) as caught:
            self.new_slot(weekday=0, start_time=T(8, 30), end_time=T(9, 30))
        self.assertIn("Mathématiques — 5e A — M. Paul Dupont, lundi 08:00–09:00", caught.exception.messages[0])

    def test_lessons_that_never_meet_do_not_conflict(self):
        """Back to back, A week against B week, or after the other lesson ended: accepted."""
        self.new_slot(weekday=0, start_time=T(9), end_time=T(10))  # right after Monday's maths
        # sophie.bernard teaches 5e A French on B Fridays at 10:15; 4e B on A Fridays is free
        french_4b = TeachingAssignment.objects.get(
            teacher=self.people["sophie.bernard"], school_class=self.school.college.classes["4e B"]
        )
        actions.create_slot(
            actor=self.actor("marc.leroy"),
            establishment=self.college,
            assignment=french_4b,
            weekday=4,
            start_time=T(10, 15),
            end_time=T(11, 15),
            weeks=Weeks.A,
            valid_from=MONDAY_A,
        )
        actions.end_slot(actor=self.actor("marc.leroy"), slot=self.tt["french_tuesday"], last_day=MONDAY_B)
        self.new_slot(weekday=1, start_time=T(9), end_time=T(10), valid_from=MONDAY_B + dt.timedelta(days=7))

    def test_changing_a_lesson_keeps_past_weeks_as_they_were(self):
        """Monday's maths moves to 10:00 from week B: week A still shows 8:00, week B shows 10:00."""
        old = self.tt["math_monday"]
        kept = LessonChange.objects.create(
            establishment=self.college, slot=old, date=MONDAY_A, kind=LessonChange.Kind.CANCELLED
        )
        moved = LessonChange.objects.create(
            establishment=self.college, slot=old, date=MONDAY_B, kind=LessonChange.Kind.ROOM, room=self.tt["c3"]
        )
        version = actions.update_slot(
            actor=self.actor("marc.leroy"),
            slot=old,
            assignment=old.assignment,
            weekday=0,
            start_time=T(10, 15),
            end_time=T(11, 15),
            room=old.room,
            weeks=Weeks.ALL,
            valid_from=MONDAY_B,
        )
        old.refresh_from_db()
        self.assertNotEqual(version.pk, old.pk)
        self.assertEqual(old.valid_until, MONDAY_B - dt.timedelta(days=1))
        self.assertEqual((version.valid_from, version.valid_until), (MONDAY_B, None))
        self.assertIn((0, T(8)), self.times(MONDAY_A))
        self.assertNotIn((0, T(10, 15)), self.times(MONDAY_A))
        self.assertIn((0, T(10, 15)), self.times(MONDAY_B))
        self.assertNotIn((0, T(8)), self.times(MONDAY_B))
        kept.refresh_from_db()
        moved.refresh_from_db()
        self.assertEqual((kept.slot_id, moved.slot_id), (old.pk, version.pk))

    def test_a_lesson_not_begun_yet_is_simply_updated(self):
        """Before its first week, a lesson is changed in place: no second version."""
        later = MONDAY_B + dt.timedelta(days=14)
        slot = self.new_slot(valid_from=later)
        version = actions.update_slot(
            actor=self.actor("marc.leroy"),
            slot=slot,
            assignment=slot.assignment,
            weekday=3,
            start_time=T(8),
            end_time=T(9),
            valid_from=later,
        )
        self.assertEqual(version.pk, slot.pk)
        self.assertEqual(
            Slot.objects.filter(assignment=self.tt["math"], weekday__in=[2, 3], start_time__in=[T(8), T(14)]).count(), 1
        )

    def test_ending_a_lesson_keeps_its_history(self):
        """An ended lesson stays in past weeks and leaves later ones; one never begun is removed."""
        slot = self.tt["math_monday"]
        actions.end_slot(actor=self.actor("marc.leroy"), slot=slot, last_day=MONDAY_A + dt.timedelta(days=6))
        self.assertIn((0, T(8)), self.times(MONDAY_A))
        self.assertNotIn((0, T(8)), self.times(MONDAY_B))
        self.assertTrue(Slot.objects.filter(pk=slot.pk).exists())
        today = timezone.localdate()  # "never begun" is relative to today, whatever the date the suite runs
        future = self.new_slot(valid_from=max(MONDAY_B, today) + dt.timedelta(days=60))
        actions.end_slot(actor=self.actor("marc.leroy"), slot=future, last_day=max(MONDAY_B, today))
        self.assertFalse(Slot.objects.filter(pk=future.pk).exists())


class RoomActionTests(SlotCase):
    def test_room_names_are_unique_in_an_establishment_whatever_the_case(self):
        """A second "b12" is refused; the lycée may have its own B12."""
        with self.assertRaisesMessage(ValidationError, "Une salle s'appelle déjà « b12 »"):
            actions.create_room(actor=self.actor("marc.leroy"), establishment=self.college, name=" b12 ")
        with self.assertRaisesMessage(ValidationError, "Une salle s'appelle déjà"):
            actions.rename_room(actor=self.actor("marc.leroy"), room=self.tt["c3"], name="B12")
        renamed = actions.rename_room(actor=self.actor("marc.leroy"), room=self.tt["c3"], name="C3 bis", capacity=24)
        self.assertEqual((renamed.name, renamed.capacity), ("C3 bis", 24))

    def test_a_room_used_by_lessons_cannot_be_deleted(self):
        """B12 hosts Monday's maths: refused, naming the lesson; an unused room goes."""
        with self.assertRaisesMessage(ValidationError, "« B12 » sert à des cours"):
            actions.delete_room(actor=self.actor("marc.leroy"), room=self.tt["b12"])
        self.assertTrue(Room.objects.filter(pk=self.tt["b12"].pk).exists())
        empty = Room.objects.create(establishment=self.college, name="Vide")
        actions.delete_room(actor=self.actor("marc.leroy"), room=empty)
        self.assertFalse(Room.objects.filter(name="Vide").exists())


class SlotPageTests(SlotCase):
    def test_the_class_grid_offers_to_add_and_edit_weekly_lessons_to_editors_only(self):
        """marc.leroy sees "Ajouter un cours" and "Modifier le cours hebdomadaire"; paul.dupont does not."""
        url = reverse("timetable:class", args=[self.five_a.pk])
        for username, shown in [("marc.leroy", True), ("nadia.petit", True), ("paul.dupont", False)]:
            self.login(username)
            response = self.client.get(url, {"lundi": MONDAY_A.isoformat()})
            with self.subTest(username=username):
                self.assertEqual("Ajouter un cours<" in response.content.decode(), shown)
                self.assertEqual("Modifier le cours hebdomadaire" in response.content.decode(), shown)
        self.login("marc.leroy")
        teacher = self.client.get(reverse("timetable:teacher", args=[self.people["paul.dupont"].pk]))
        self.assertContains(teacher, f"enseignant={self.people['paul.dupont'].pk}")

    def test_adding_a_lesson_from_the_class_grid(self):
        """The form offers 5e A's lessons by name; the lesson is created and the week shows it."""
        self.login("marc.leroy")
        url = reverse("timetable:create_slot") + f"?classe={self.five_a.pk}"
        page = self.client.get(url)
        self.assertContains(page, "Mathématiques — 5e A — M. Paul Dupont")
        self.assertNotContains(page, "4e B")
        data = {
            "assignment": self.tt["math"].pk,
            "weekday": 2,
            "start_time": "14:00",
            "end_time": "15:00",
            "room": self.tt["b12"].pk,
            "weeks": "all",
            "valid_from": MONDAY_A.isoformat(),
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        self.assertIn((2, T(14)), self.times(MONDAY_A))

    def test_nothing_typed_is_lost_on_error(self):
        """End before start, or an overlap: 400, the message, and every value typed still there."""
        self.login("nadia.petit")
        url = reverse("timetable:create_slot")
        in_two_weeks = (MONDAY_B + dt.timedelta(days=7)).isoformat()
        data = {
            "assignment": self.tt["math"].pk,
            "weekday": 0,
            "start_time": "08:30",
            "end_time": "09:30",
            "room": self.tt["c3"].pk,
            "weeks": "A",
            "valid_from": in_two_weeks,
        }
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Ce cours en chevauche un autre", status_code=400)
        for value in (
            'value="08:30"',
            'value="09:30"',
            f'value="{in_two_weeks}"',
            'value="A" selected',
        ):
            self.assertContains(response, value, status_code=400)
        response = self.client.post(url, data | {"end_time": "08:00"})
        self.assertContains(response, "L&#x27;heure de fin doit suivre", status_code=400)
        self.assertEqual(Slot.objects.filter(start_time=T(8, 30)).count(), 0)

    def test_editing_a_lesson_from_its_page(self):
        """The edit page is filled with the lesson; saving from week B keeps week A at 8:00."""
        slot = self.tt["math_monday"]
        self.login("julie.moreau")
        url = reverse("timetable:edit_slot", args=[slot.pk])
        page = self.client.get(url)
        self.assertContains(page, 'value="08:00"')
        self.assertContains(page, "Terminer ce cours hebdomadaire")
        response = self.client.post(
            url,
            {
                "assignment": slot.assignment_id,
                "weekday": 0,
                "start_time": "11:00",
                "end_time": "12:00",
                "room": "",
                "weeks": "all",
                "valid_from": MONDAY_B.isoformat(),
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertIn((0, T(8)), self.times(MONDAY_A))
        self.assertIn((0, T(11)), self.times(MONDAY_B))
        bad_end = self.client.post(url, {"last_day": "pas une date"})
        self.assertContains(bad_end, "pas une date", status_code=400)

    def test_the_rooms_page_lists_adds_renames_and_refuses_to_delete_a_used_room(self):
        """Capacity shown; a duplicate name comes back with 400 and the typed name; deleting B12 is refused."""
        self.login("marc.leroy")
        url = reverse("timetable:rooms")
        Room.objects.filter(pk=self.tt["c3"].pk).update(capacity=28)
        page = self.client.get(url)
        self.assertContains(page, "28 places")
        self.assertContains(page, "B12")
        duplicate = self.client.post(url, {"new-name": "c3", "new-capacity": "12"})
        self.assertContains(duplicate, "Une salle s&#x27;appelle déjà", status_code=400)
        self.assertContains(duplicate, 'value="12"', status_code=400)
        b12 = self.tt["b12"]
        renamed = self.client.post(
            url, {"room": b12.pk, f"room-{b12.pk}-name": "B12 labo", f"room-{b12.pk}-capacity": "20"}
        )
        self.assertEqual(renamed.status_code, 302)
        b12.refresh_from_db()
        self.assertEqual((b12.name, b12.capacity), ("B12 labo", 20))
        bad = self.client.post(url, {"room": b12.pk, f"room-{b12.pk}-name": "", f"room-{b12.pk}-capacity": "-3"})
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, 'value="-3"', status_code=400)
        refused = self.client.post(reverse("timetable:delete_room", args=[b12.pk]), follow=True)
        self.assertContains(refused, "sert à des cours")
        self.assertTrue(Room.objects.filter(pk=b12.pk).exists())

    def test_query_budgets_of_the_new_pages_do_not_grow_with_the_data(self):
        """The lesson form, the edit page and the rooms page cost the same with many more rooms and lessons."""
        pages = [
            reverse("timetable:create_slot") + f"?classe={self.five_a.pk}",
            reverse("timetable:create_slot"),
            reverse("timetable:edit_slot", args=[self.tt["math_monday"].pk]),
            reverse("timetable:rooms"),
        ]

        def measure():
            counts = []
            for url in pages:
                self.client.get(url)
                with CaptureQueriesContext(connection) as captured:
                    self.assertEqual(self.client.get(url).status_code, 200)
                counts.append(len(captured))
            return counts

        self.login("marc.leroy")
        before = measure()
        self.assertEqual(before, [5, 5, 6, 4])
        rooms = Room.objects.bulk_create(Room(establishment=self.college, name=f"R{i:02d}") for i in range(30))
        subjects = Subject.objects.filter(establishment=self.college)[:6]
        teachers = ("paul.dupont", "sophie.bernard")
        for subject in subjects:
            for teacher in teachers:
                TeachingAssignment.objects.get_or_create(
                    establishment=self.college,
                    teacher=self.people[teacher],
                    subject=subject,
                    school_class=self.five_a,
                )
        Slot.objects.bulk_create(
            Slot(
                establishment=self.college,
                assignment=self.tt["math"],
                weekday=5,
                start_time=T(7 + i % 10),
                end_time=T(8 + i % 10),
                room=rooms[i],
                valid_from=MONDAY_A,
            )
            for i in range(30)
        )
        self.assertEqual(measure(), before)
