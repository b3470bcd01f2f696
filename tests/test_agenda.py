"""The agenda: who sees and edits each kind of event, the audited actions, and the pages with their
query budgets."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cartable.agenda import actions
from cartable.agenda.models import Event
from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent
from cartable.directory.models import SchoolClass, TeachingAssignment
from cartable.homework.models import Homework
from tests.support.personas import EVERYBODY, PersonaTestCase

PARIS = ZoneInfo("Europe/Paris")


def at(day: dt.date, hour: int = 18) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


class AgendaTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.lycee = cls.school.lycee.establishment
        cls.five_a = SchoolClass.objects.get(name="5e A")
        cls.four_b = SchoolClass.objects.get(name="4e B")
        cls.seconde = SchoolClass.objects.get(name="2nde GT 1")
        cls.today = timezone.localdate()
        cls.monday = cls.today - dt.timedelta(days=cls.today.weekday())

    def make_event(self, audience, *, establishment=None, classes=(), owner="marc.leroy", day=None, **kw) -> Event:
        day = day or self.monday + dt.timedelta(days=2)
        establishment = None if audience == Event.Audience.PERSONAL else (establishment or self.college)
        event = Event.objects.create(
            establishment=establishment,
            audience=audience,
            kind=kw.pop("kind", Event.Kind.MEETING),
            title=kw.pop("title", f"Événement {audience}"),
            start=at(day),
            end=at(day, 20),
            owner=self.people[owner],
            **kw,
        )
        event.classes.set(classes)
        return event


class EventPolicyTests(AgendaTestCase):
    def test_who_sees_each_kind_of_event(self):
        """Each audience reaches exactly its people; a personal event its owner only; charlie sees none."""
        A = Event.Audience
        expected = {
            A.EVERYONE: {
                "lucas.martin", "lea.bernard", "ines.girard", "claire.martin", "thomas.girard", "paul.dupont",
                "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau", "admin.region",
            },
            A.STAFF: {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau", "admin.region"},
            A.FAMILIES: {
                "claire.martin", "thomas.girard", "paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy",
                "julie.moreau", "admin.region",
            },
            A.STUDENTS: {
                "lucas.martin", "lea.bernard", "ines.girard", "paul.dupont", "sophie.bernard", "nadia.petit",
                "marc.leroy", "julie.moreau", "admin.region",
            },
            A.CLASSES: {
                "lucas.martin", "lea.bernard", "claire.martin", "paul.dupont", "sophie.bernard", "nadia.petit",
                "marc.leroy", "julie.moreau", "admin.region",
            },
            A.PERSONAL: {"lucas.martin"},
        }  # fmt: skip
        events = {
            audience: self.make_event(
                audience,
                classes=[self.five_a] if audience == A.CLASSES else (),
                owner="lucas.martin" if audience == A.PERSONAL else "marc.leroy",
            )
            for audience in expected
        }
        expected[A.STAFF].add("marc.leroy")  # the owners see theirs anyway (already in)
        for audience, event in events.items():
            for who in EVERYBODY:
                with self.subTest(audience=audience, who=who):
                    actor = self.actor(who)
                    seen = who in expected[audience] or (who == "marc.leroy" and audience != A.PERSONAL)
                    self.assertIs(authz.allows(actor, Action.VIEW, event), seen)
                    in_scope = Event.objects.visible_to(actor).filter(pk=event.pk).exists()
                    self.assertIs(in_scope, seen, "scope and allows disagree")

    def test_a_class_event_reaches_only_that_class(self):
        """A 4e B trip reaches the 4e B student, her father and her teacher, not 5e A's families."""
        trip = self.make_event(Event.Audience.CLASSES, classes=[self.four_b], kind=Event.Kind.TRIP)
        for who, expected in [
            ("ines.girard", True),
            ("thomas.girard", True),
            ("sophie.bernard", True),
            ("paul.dupont", False),
            ("lucas.martin", False),
            ("claire.martin", False),
            ("nadia.petit", True),
        ]:
            with self.subTest(who=who):
                self.assertIs(authz.allows(self.actor(who), Action.VIEW, trip), expected)
                self.assertIs(Event.objects.visible_to(self.actor(who)).filter(pk=trip.pk).exists(), expected)

    def test_who_edits_each_kind_of_event(self):
        """The direction, the ENT admin and the vie scolaire edit establishment events; a teacher only events
        of classes they all teach; a personal event only its owner."""
        A = Event.Audience
        school_event = self.make_event(A.EVERYONE)
        paul_class = self.make_event(A.CLASSES, classes=[self.five_a], owner="paul.dupont")
        mixed = self.make_event(A.CLASSES, classes=[self.five_a, self.four_b], owner="sophie.bernard")
        personal = self.make_event(A.PERSONAL, owner="lucas.martin")
        cases = [
            ("marc.leroy", [True, True, True, False]),
            ("julie.moreau", [True, True, True, False]),
            ("nadia.petit", [True, True, True, False]),
            ("paul.dupont", [False, True, False, False]),
            ("sophie.bernard", [False, True, True, False]),
            ("lucas.martin", [False, False, False, True]),
            ("claire.martin", [False, False, False, False]),
            ("charlie.roux", [False, False, False, False]),
            ("admin.region", [True, True, True, False]),
        ]
        for who, expected in cases:
            for event, allowed in zip([school_event, paul_class, mixed, personal], expected, strict=True):
                for action in (Action.CHANGE, Action.DELETE):
                    with self.subTest(who=who, event=event.title, action=action):
                        self.assertIs(authz.allows(self.actor(who), action, event), allowed)

    def test_what_the_event_form_and_the_agenda_offer(self):
        """Every audience for the college's managers and the region; class events for its teachers; the view of
        all children together for the guardians (Sophie, a teacher who is also a mother, acts as a teacher)."""
        managers = {"nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        for who in EVERYBODY:
            actor = self.actor(who)
            with self.subTest(who=who):
                self.assertIs(authz.can(actor, "agenda.plan_establishment_events", self.college), who in managers)
                self.assertIs(
                    authz.can(actor, "agenda.plan_class_events", self.college), who in {"paul.dupont", "sophie.bernard"}
                )
                self.assertIs(authz.can(actor, "agenda.merge_children"), who in {"claire.martin", "thomas.girard"})


class EventActionTests(AgendaTestCase):
    def test_creating_changing_and_deleting_an_event_is_audited_and_bumps_the_sequence(self):
        """Create, update (sequence + 1 each time) and delete each leave an audit row."""
        actor = self.actor("marc.leroy")
        day = self.monday + dt.timedelta(days=3)
        event = actions.create_event(
            actor=actor,
            establishment_id=self.college.pk,
            kind=Event.Kind.PARENTS_EVENING,
            audience=Event.Audience.FAMILIES,
            title="Réunion parents-professeurs",
            start=at(day),
            end=at(day, 21),
            description="<p>Venez <script>alert(1)</script><strong>nombreux</strong></p>",
        )
        self.assertEqual(event.sequence, 0)
        self.assertNotIn("script", event.description)
        for expected in (1, 2):
            event = actions.update_event(
                actor=actor,
                event=event,
                kind=event.kind,
                audience=event.audience,
                title=f"Réunion v{expected}",
                start=event.start,
                end=event.end,
            )
            self.assertEqual(event.sequence, expected)
        actions.delete_event(actor=actor, event=event)
        self.assertFalse(Event.objects.filter(pk=event.pk).exists())
        trail = AuditEvent.objects.filter(verb__startswith="agenda.").order_by("id")
        verbs = list(trail.values_list("verb", flat=True))
        self.assertEqual(
            verbs, ["agenda.create_event", "agenda.update_event", "agenda.update_event", "agenda.delete_event"]
        )

    def test_a_teacher_cannot_publish_for_a_class_they_do_not_teach(self):
        """paul.dupont may create a 5e A event but not a 4e B one, nor a whole-school one."""
        actor = self.actor("paul.dupont")
        day = self.monday + dt.timedelta(days=1)
        common = {"kind": Event.Kind.TRIP, "title": "Sortie", "start": at(day, 9), "end": at(day, 17)}
        actions.create_event(
            actor=actor, establishment_id=self.college.pk, audience="classes", class_ids=[self.five_a.pk], **common
        )
        for audience, class_ids in [("classes", [self.four_b.pk]), ("everyone", [])]:
            with self.subTest(audience=audience), self.assertRaises(PermissionDenied):
                actions.create_event(
                    actor=actor, establishment_id=self.college.pk, audience=audience, class_ids=class_ids, **common
                )

    def test_anyone_creates_a_personal_event_that_only_they_see(self):
        """A student's personal event has no establishment and is the student's alone."""
        day = self.monday + dt.timedelta(days=4)
        event = actions.create_event(
            actor=self.actor("lucas.martin"),
            establishment_id=self.college.pk,
            kind=Event.Kind.OTHER,
            audience=Event.Audience.PERSONAL,
            title="Entraînement de foot",
            start=at(day, 17),
            end=at(day, 18),
        )
        self.assertIsNone(event.establishment_id)
        self.assertEqual(event.kind, Event.Kind.PERSONAL)
        self.assertFalse(authz.allows(self.actor("claire.martin"), Action.VIEW, event))


class AgendaPageTests(AgendaTestCase):
    def add_homework(self, *, teacher="paul.dupont", school_class=None, kind=Homework.Kind.EXERCISE, day=None, n=1):
        assignment = TeachingAssignment.objects.get(
            teacher=self.people[teacher], school_class=school_class or self.five_a
        )
        for i in range(n):
            Homework.objects.create(
                establishment_id=assignment.establishment_id,
                assignment=assignment,
                kind=kind,
                title=f"Devoir {i}",
                due_date=day or self.monday + dt.timedelta(days=2),
                estimated_minutes=20,
                published_at=timezone.now() - dt.timedelta(days=1),
                author=self.people[teacher],
            )

    def test_every_view_shows_events_homework_and_tests(self):
        """Month, week, day and list views show the event, the homework and the announced test."""
        day = self.monday + dt.timedelta(days=2)
        self.make_event(Event.Audience.EVERYONE, title="Cross du collège", day=day)
        self.add_homework(day=day)
        self.add_homework(day=day, kind=Homework.Kind.TEST)
        self.login("lucas.martin")
        for name in ("agenda:home", "agenda:month", "agenda:week", "agenda:day", "agenda:list"):
            with self.subTest(view=name):
                response = self.client.get(reverse(name), {"date": day.isoformat()})
                self.assertContains(response, "Cross du collège")
                self.assertContains(response, "Devoir 0")
                self.assertContains(response, "Contrôle")

    def test_a_bad_date_shows_today_instead_of_failing(self):
        """A malformed ?date= shows the current period."""
        self.login("lucas.martin")
        self.assertEqual(self.client.get(reverse("agenda:week"), {"date": "2025-13-45"}).status_code, 200)

    def test_a_parent_sees_one_child_or_both_children_labelled(self):
        """claire.martin sees Lucas's homework by default, and Emma's too, labelled, with ?enfants=tous."""
        day = self.monday + dt.timedelta(days=2)
        self.add_homework(day=day)  # Lucas (5e A)
        assignment = TeachingAssignment.objects.get(teacher=self.people["paul.dupont"], school_class=self.seconde)
        Homework.objects.create(
            establishment_id=self.lycee.pk,
            assignment=assignment,
            kind=Homework.Kind.TEST,
            title="Contrôle de 2nde",
            due_date=day,
            published_at=timezone.now() - dt.timedelta(days=1),
            author=self.people["paul.dupont"],
        )
        self.login("claire.martin")
        one = self.client.get(reverse("agenda:week"), {"date": day.isoformat()})
        self.assertContains(one, "Devoir 0")
        self.assertNotContains(one, "Contrôle de 2nde")
        both = self.client.get(reverse("agenda:week"), {"date": day.isoformat(), "enfants": "tous"})
        self.assertContains(both, "Devoir 0")
        self.assertContains(both, "Contrôle de 2nde")
        self.assertContains(both, "pour Emma")
        self.assertContains(both, "pour Lucas")

    def test_the_agenda_costs_a_fixed_number_of_queries(self):
        """Each persona's month page costs the same number of queries with 1 or 30 events and homework."""
        budgets = {"lucas.martin": 7, "claire.martin": 9, "paul.dupont": 8, "marc.leroy": 5}
        day = self.monday + dt.timedelta(days=2)
        for round_, count in enumerate((1, 30)):
            for _i in range(count if round_ == 0 else count - 1):
                self.make_event(Event.Audience.EVERYONE, day=day)
                self.make_event(Event.Audience.CLASSES, classes=[self.five_a, self.four_b], day=day)
            self.add_homework(day=day, n=count if round_ == 0 else count - 1)
            for who, expected in budgets.items():
                with self.subTest(who=who, rows=count):
                    self.login(who)
                    self.client.get(reverse("agenda:month"), {"date": day.isoformat(), "enfants": "tous"})
                    with self.assertNumQueries(expected):
                        response = self.client.get(
                            reverse("agenda:month"), {"date": day.isoformat(), "enfants": "tous"}
                        )
                    self.assertEqual(response.status_code, 200)

    def test_the_event_form_creates_an_event_and_keeps_input_on_errors(self):
        """The principal creates a class event; a missing class keeps what was typed and says why in French."""
        self.login("marc.leroy")
        data = {
            "title": "Sortie au musée",
            "kind": "trip",
            "audience": "classes",
            "start_date": (self.monday + dt.timedelta(days=3)).isoformat(),
            "start_time": "09:00",
            "end_time": "16:30",
            "location": "Musée des Beaux-Arts",
            "description": "Prévoir un pique-nique.",
        }
        response = self.client.post(reverse("agenda:event_create"), data)
        self.assertContains(response, "Choisissez au moins une classe.")
        self.assertContains(response, "Musée des Beaux-Arts")
        response = self.client.post(reverse("agenda:event_create"), {**data, "classes": [self.five_a.pk]})
        event = Event.objects.get(title="Sortie au musée")
        self.assertRedirects(response, reverse("agenda:event", args=[event.pk]))
        self.assertEqual(list(event.classes.all()), [self.five_a])
        self.assertEqual(timezone.localtime(event.start).time(), dt.time(9))

    def test_a_student_form_only_offers_personal_events(self):
        """A student's form has no audience; what they save is personal."""
        self.login("lucas.martin")
        response = self.client.get(reverse("agenda:event_create"))
        self.assertNotContains(response, 'name="audience"')
        self.client.post(
            reverse("agenda:event_create"),
            {"title": "Dentiste", "start_date": self.today.isoformat(), "start_time": "17:00"},
        )
        event = Event.objects.get(title="Dentiste")
        self.assertEqual(event.audience, Event.Audience.PERSONAL)

    def test_pages_of_an_event_answer_404_to_those_it_does_not_reach(self):
        """A staff meeting is a 404 for a student and for charlie; its edit page a 404 for a teacher."""
        meeting = self.make_event(Event.Audience.STAFF, title="Conseil pédagogique")
        for who, name, status in [
            ("lucas.martin", "agenda:event", 404),
            ("charlie.roux", "agenda:event", 404),
            ("paul.dupont", "agenda:event", 200),
            ("paul.dupont", "agenda:event_edit", 404),
            ("paul.dupont", "agenda:event_delete", 404),
            ("nadia.petit", "agenda:event_edit", 200),
        ]:
            with self.subTest(who=who, name=name):
                self.login(who)
                self.assertEqual(self.client.get(reverse(name, args=[meeting.pk])).status_code, status)

    def test_the_dashboard_shows_upcoming_events(self):
        """The dashboard's "Prochains événements" lists an event of the coming days."""
        self.make_event(Event.Audience.EVERYONE, title="Portes ouvertes", day=self.today + dt.timedelta(days=2))
        self.login("lucas.martin")
        response = self.client.get(reverse("dashboard:home"))
        self.assertContains(response, "Prochains événements")
        self.assertContains(response, "Portes ouvertes")

    def test_the_agenda_is_gone_when_its_module_is_off(self):
        """With the agenda module off, its pages answer 404."""
        self.college.module_settings = {"agenda": False}
        self.college.save()
        self.login("lucas.martin")
        self.assertEqual(self.client.get(reverse("agenda:home")).status_code, 404)

    def test_due_dates_leave_the_agenda_when_the_homework_log_is_off(self):
        """An establishment without the homework log shows its events but no due dates (their links would 404)."""
        day = self.monday + dt.timedelta(days=2)
        self.make_event(Event.Audience.EVERYONE, title="Cross du collège", day=day)
        self.add_homework(day=day)
        self.college.module_settings = {"homework": False}
        self.college.save()
        self.login("lucas.martin")
        response = self.client.get(reverse("agenda:list"), {"date": day.isoformat()})
        self.assertContains(response, "Cross du collège")
        self.assertNotContains(response, "Devoir 0")
