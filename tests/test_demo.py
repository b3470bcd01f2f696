"""The demo region: deterministic, about 300 students, and every persona with their relations."""

import re
from io import StringIO

from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import TestCase
from django.urls import reverse

from cartable.accounts.models import ActivationCode, Charter, CharterAcceptance
from cartable.core.models import Notification
from cartable.demo.region import (
    COLLEGE,
    LYCEE,
    NOT_ACTIVATED,
    DemoRegionExists,
    load_demo_region,
)
from cartable.demo.seed import seed_region
from cartable.directory import queries
from cartable.directory.models import (
    Enrolment,
    ExternalIdentifier,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
    User,
)


def snapshot() -> dict:
    """The region as names only (no ids, no timestamps): what must not change from one load to the next."""
    return {
        "people": sorted(User.objects.values_list("username", "first_name", "last_name", "title", "birth_date")),
        "memberships": sorted(Membership.objects.values_list("person__username", "establishment__uai", "role")),
        "enrolments": sorted(Enrolment.objects.values_list("student__username", "school_class__name")),
        "guardianships": sorted(
            Guardianship.objects.values_list("guardian__username", "student__username", "relationship")
        ),
        "assignments": sorted(
            (t, s, c or "", g or "")
            for t, s, c, g in TeachingAssignment.objects.values_list(
                "teacher__username", "subject__code", "school_class__name", "group__name"
            )
        ),
        "heads": sorted(SchoolClass.objects.values_list("name", "head_teacher__username")),
        "external_ids": sorted(ExternalIdentifier.objects.values_list("person__username", "value")),
    }


class DemoLoadTests(TestCase):
    def setUp(self):
        cache.clear()  # the current charters are cached; each load publishes them anew

    def test_two_loads_give_the_same_region(self):
        """Loading into an empty database twice gives the same people, classes and relations."""
        snapshots = []
        for _attempt in range(2):
            with transaction.atomic():
                load_demo_region()
                snapshots.append(snapshot())
                transaction.set_rollback(True)
            cache.clear()
        self.assertEqual(snapshots[0], snapshots[1])
        self.assertGreater(len(snapshots[0]["people"]), 700)

    def test_loading_twice_is_refused(self):
        """A database holding the demo is not loaded again: the second attempt changes nothing."""
        load_demo_region()
        people = User.objects.count()
        with self.assertRaises(DemoRegionExists):
            load_demo_region()
        self.assertEqual(User.objects.count(), people)


class DemoRegionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cache.clear()
        cls.region = load_demo_region()
        cls.people = cls.region.personas.people
        cls.college = cls.region.personas.college.establishment
        cls.lycee = cls.region.personas.lycee.establishment
        cls.other = cls.region.personas.other.establishment

    def setUp(self):
        cache.clear()

    def test_about_300_students_fill_the_college_and_the_lycee(self):
        """About 300 students in 8 classes of the collège and 4 of the lycée agricole, 24 to 27 each."""
        students = Membership.objects.filter(role=Role.STUDENT, establishment__in=[self.college, self.lycee])
        self.assertTrue(280 <= students.count() <= 330, students.count())
        sizes = dict(
            SchoolClass.objects.filter(establishment__in=[self.college, self.lycee])
            .annotate(n=Count("enrolments"))
            .values_list("name", "n")
        )
        expected = [name for plan in (COLLEGE, LYCEE) for names in plan.levels.values() for name in names]
        self.assertEqual(sorted(sizes), sorted(expected))
        for name, size in sizes.items():
            with self.subTest(school_class=name):
                self.assertTrue(24 <= size <= 27, size)
        self.assertEqual(self.region.counts["establishments"], 3)

    def test_lucas_is_a_student_of_5e_a_with_his_mother_and_teachers(self):
        """Lucas is in 5e A, Claire is his guardian, Paul and Sophie are among his teachers."""
        lucas = self.people["lucas.martin"]
        self.assertEqual([c.name for c in queries.classes_of_student(lucas)], ["5e A"])
        self.assertEqual(list(queries.guardians_of(lucas)), [self.people["claire.martin"]])
        teachers = set(queries.teachers_of_student(lucas).values_list("username", flat=True))
        self.assertTrue({"paul.dupont", "sophie.bernard"} <= teachers)
        self.assertGreaterEqual(len(teachers), 9)  # a teacher for every subject of 5e A

    def test_claire_has_two_children_in_two_establishments(self):
        """Claire is the mother of Lucas (collège) and Emma (lycée agricole), and a guardian in both."""
        claire = self.people["claire.martin"]
        self.assertEqual(list(queries.children_of(claire)), [self.people["emma.martin"], self.people["lucas.martin"]])
        self.assertEqual(
            set(Membership.objects.filter(person=claire).values_list("establishment", "role")),
            {(self.college.pk, Role.GUARDIAN), (self.lycee.pk, Role.GUARDIAN)},
        )
        self.assertEqual([c.name for c in queries.classes_of_student(self.people["emma.martin"])], ["2nde GT 1"])

    def test_paul_teaches_in_both_establishments_and_heads_5e_a(self):
        """Paul teaches mathematics at the collège and the lycée and is head teacher of 5e A."""
        paul = self.people["paul.dupont"]
        taught = queries.classes_taught_by(paul)
        self.assertEqual({c.establishment_id for c in taught}, {self.college.pk, self.lycee.pk})
        self.assertEqual(
            set(TeachingAssignment.objects.filter(teacher=paul).values_list("subject__code", flat=True)), {"MATH"}
        )
        self.assertEqual(list(paul.headed_classes.values_list("name", flat=True)), ["5e A"])

    def test_staff_personas_hold_their_roles(self):
        """Sophie teaches and is a mother, Nadia is CPE, Marc principal, Julie ENT admin, Alice regional."""
        for username, establishment, roles in [
            ("sophie.bernard", self.college, {Role.TEACHER, Role.GUARDIAN}),
            ("nadia.petit", self.college, {Role.EDUCATION}),
            ("marc.leroy", self.college, {Role.DIRECTION}),
            ("julie.moreau", self.college, {Role.ESTABLISHMENT_ADMIN}),
            ("admin.region", None, {Role.REGIONAL_ADMIN}),
            ("charlie.roux", self.other, {Role.TEACHER}),
        ]:
            with self.subTest(username=username):
                memberships = Membership.objects.filter(person=self.people[username])
                self.assertEqual(set(memberships.values_list("role", flat=True)), roles)
                self.assertEqual(
                    set(memberships.values_list("establishment", flat=True)), {getattr(establishment, "pk", None)}
                )
        self.assertEqual(list(queries.children_of(self.people["sophie.bernard"])), [self.people["lea.bernard"]])
        self.assertTrue(self.people["admin.region"].is_superuser)

    def test_every_class_has_a_head_teacher_and_a_teacher_for_each_subject(self):
        """No class of the collège or the lycée lacks a head teacher or a teacher for one of its subjects."""
        for kit, plan in [(self.region.personas.college, COLLEGE), (self.region.personas.lycee, LYCEE)]:
            for level, names in plan.levels.items():
                wanted = {code for code in plan.classes_per_teacher if code not in plan.not_taught.get(level, ())}
                for name in names:
                    with self.subTest(school_class=name):
                        school_class = SchoolClass.objects.get(establishment=kit.establishment, name=name)
                        self.assertIsNotNone(school_class.head_teacher_id)
                        taught = set(school_class.assignments.values_list("subject__code", flat=True))
                        self.assertEqual(taught, wanted)

    def test_families_have_one_or_two_guardians_and_some_have_two_children(self):
        """Each student has one or two guardians, mostly sharing their name; some guardians follow two children."""
        per_student = Guardianship.objects.values("student").annotate(n=Count("id")).values_list("n", flat=True)
        self.assertEqual(set(per_student), {1, 2})
        students = (
            Membership.objects.filter(role=Role.STUDENT).exclude(person__in=self.people.values()).values("person")
        )
        self.assertEqual(
            Guardianship.objects.filter(student__in=students).values("student").distinct().count(), students.count()
        )
        siblings = Guardianship.objects.values("guardian").annotate(n=Count("id")).filter(n=2)
        self.assertGreaterEqual(siblings.count(), 20)
        shared = Guardianship.objects.filter(guardian__last_name=F("student__last_name")).count()
        self.assertGreater(shared / Guardianship.objects.count(), 0.7)

    def test_staff_groups_and_external_identifiers_exist(self):
        """A second CPE, administrative staff, language groups and AAF identifiers for a few people."""
        self.assertEqual(Membership.objects.filter(establishment=self.college, role=Role.EDUCATION).count(), 2)
        self.assertGreaterEqual(Membership.objects.filter(role=Role.ADMINISTRATIVE).count(), 3)
        self.assertTrue(self.region.personas.college.establishment.pk)
        groups = set(TeachingAssignment.objects.filter(group__isnull=False).values_list("group__name", flat=True))
        self.assertTrue({"Latin 5e", "Allemand 5e", "Espagnol 3e", "Espagnol Terminale"} <= groups)
        self.assertEqual(ExternalIdentifier.objects.filter(source=ExternalIdentifier.Source.AAF, issuer="").count(), 24)
        # The personas of the collège and the lycée carry their académie's jointures (provisioning's demo).
        self.assertTrue(
            ExternalIdentifier.objects.filter(person__username="lucas.martin", issuer="NANCY-METZ").exists()
        )

    def test_charters_are_published_and_accepted_by_the_activated_personas(self):
        """Version 1 of both charters exists; every activated persona accepted them, zoé did not."""
        charters = Charter.objects.all()
        self.assertEqual(sorted(charters.values_list("kind", "version")), [("privacy", 1), ("usage", 1)])
        for charter in charters:
            self.assertGreater(len(charter.body), 1000)
        for username, person in self.people.items():
            with self.subTest(username=username):
                accepted = CharterAcceptance.objects.filter(user=person).count()
                self.assertEqual(accepted, 0 if username == NOT_ACTIVATED else 2)

    def test_zoe_is_not_activated_and_has_an_activation_code(self):
        """zoé's account waits for activation with one usable code, the one the demo prints."""
        zoe = self.people[NOT_ACTIVATED]
        self.assertFalse(zoe.is_activated)
        self.assertRegex(self.region.activation_code, r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")
        self.assertEqual(ActivationCode.objects.filter(user=zoe, used_at__isnull=True).count(), 1)

    def test_a_persona_signs_in_with_demo_and_lands_on_the_dashboard_with_a_welcome(self):
        """Signing in as lucas.martin with the password « demo » opens his dashboard, welcome notice included."""
        response = self.client.post(
            reverse("accounts:login"), {"username": "lucas.martin", "password": "demo"}, follow=True
        )
        self.assertEqual(response.redirect_chain[-1][0], reverse("dashboard:home"))
        self.assertContains(response, "Lucas Martin")
        self.assertContains(response, "Bienvenue sur Cartable, Lucas")

    def test_each_persona_has_a_welcome_notification(self):
        """Dashboards are not empty: one welcome notice per persona."""
        for username, person in self.people.items():
            with self.subTest(username=username):
                self.assertEqual(
                    Notification.objects.filter(recipient=person, kind="directory.demo_welcome").count(), 1
                )


class LoadDemoCommandTests(TestCase):
    def setUp(self):
        cache.clear()

    def load_demo(self, *args: str) -> str:
        out = StringIO()
        call_command("load_demo", *args, stdout=out)
        return out.getvalue()

    def test_load_demo_prints_the_logins_and_a_fresh_code_at_each_reuse(self):
        """The command loads once, then reuses the data and hands zoé a new code (the old one stops working)."""
        first = self.load_demo("--if-empty")
        self.assertIn("Région de démonstration chargée", first)
        self.assertIn("lucas.martin", first)
        self.assertIn("mot de passe : demo", first)
        second = self.load_demo("--if-empty")
        self.assertIn("Données existantes réutilisées", second)
        codes = [re.search(r"code d'activation (\S+)", text).group(1) for text in (first, second)]
        self.assertNotEqual(codes[0], codes[1])
        zoe = User.objects.get(username=NOT_ACTIVATED)
        self.assertEqual(ActivationCode.objects.filter(user=zoe, revoked_at__isnull=True).count(), 1)
        with self.assertRaisesMessage(CommandError, "déjà chargée"):
            self.load_demo()

    def test_load_demo_if_empty_leaves_another_region_alone(self):
        """A database holding other establishments gets no demo data and no false promise of logins."""
        seed_region(establishments=1, students_per_establishment=10)
        output = self.load_demo("--if-empty")
        self.assertIn("pas la région de démonstration", output)
        self.assertNotIn("lucas.martin", output)
        self.assertFalse(User.objects.filter(username="lucas.martin").exists())
