"""The authorization kernel over the persona school: who may do what on the directory's rows.

Each matrix is checked on both faces of a policy: ``authz.allows`` for one object and
``Model.objects.visible_to(actor)`` for lists. The two must agree, object by object.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import ANONYMOUS, SESSION_CHILD, SESSION_MEMBERSHIP, Actor
from cartable.directory.models import (
    Enrolment,
    Establishment,
    Group,
    Membership,
    Period,
    Role,
    SchoolClass,
    SchoolYear,
    Subject,
    User,
)
from tests.support import EVERYONE
from tests.support.personas import PersonaTestCase

COLLEGE_STAFF = {"paul.dupont", "sophie.bernard", "nadia.petit", "marc.leroy", "julie.moreau"}
COLLEGE_PEOPLE = COLLEGE_STAFF | {
    "claire.martin",
    "thomas.girard",
    "lucas.martin",
    "lea.bernard",
    "ines.girard",
    "zoe.fontaine",
}
OTHER_PEOPLE = {"charlie.roux", "nathalie.lambert", "hugo.lambert"}


class PolicyMatrixTestCase(PersonaTestCase):
    """Helpers to check a policy's two faces against an expected table."""

    def assert_faces_agree(self, model, username):
        """``allows(VIEW)`` is true exactly for the rows ``visible_to`` returns."""
        actor = self.actor(username)
        visible = set(model.objects.visible_to(actor).values_list("pk", flat=True))
        allowed = {obj.pk for obj in model.objects.all() if authz.allows(actor, Action.VIEW, obj)}
        self.assertEqual(visible, allowed, f"{model.__name__}: scope and allows disagree for {username}")
        return visible

    @property
    def establishments(self):
        return {
            "college": self.school.college.establishment,
            "lycee": self.school.lycee.establishment,
            "other": self.school.other.establishment,
        }

    @property
    def classes(self):
        return {
            "5e A": self.school.college.classes["5e A"],
            "4e B": self.school.college.classes["4e B"],
            "2nde GT 1": self.school.lycee.classes["2nde GT 1"],
            "5e 1": self.school.other.classes["5e 1"],
        }


class EstablishmentPolicyTests(PolicyMatrixTestCase):
    def test_who_sees_which_establishment(self):
        """Members see the establishments they belong to; the region sees them all; charlie only his own."""
        for username, expected in [
            ("lucas.martin", {"college"}),
            ("emma.martin", {"lycee"}),
            ("claire.martin", {"college", "lycee"}),
            ("thomas.girard", {"college"}),
            ("paul.dupont", {"college", "lycee"}),
            ("sophie.bernard", {"college"}),
            ("nadia.petit", {"college"}),
            ("marc.leroy", {"college"}),
            ("julie.moreau", {"college"}),
            ("admin.region", {"college", "lycee", "other"}),
            ("charlie.roux", {"other"}),
            ("nathalie.lambert", {"other"}),
        ]:
            with self.subTest(username=username):
                visible = self.assert_faces_agree(Establishment, username)
                self.assertEqual(visible, {self.establishments[k].pk for k in expected})

    def test_who_changes_the_college(self):
        """Only the collège's direction, its ENT administrator and the region change its settings."""
        college = self.establishments["college"]
        for username in EVERYONE:
            for action in (Action.CHANGE, Action.MANAGE, Action.CREATE, Action.DELETE):
                expected = username == "admin.region" or (
                    action in (Action.CHANGE, Action.MANAGE) and username in {"marc.leroy", "julie.moreau"}
                )
                with self.subTest(username=username, action=action):
                    self.assertIs(authz.allows(self.actor(username), action, college), expected)


class SchoolClassPolicyTests(PolicyMatrixTestCase):
    def test_who_sees_which_class(self):
        """Staff see their establishments' classes, students their own, guardians their children's."""
        for username, expected in [
            ("lucas.martin", {"5e A"}),
            ("lea.bernard", {"5e A"}),
            ("emma.martin", {"2nde GT 1"}),
            ("claire.martin", {"5e A", "2nde GT 1"}),
            ("thomas.girard", {"4e B"}),
            ("paul.dupont", {"5e A", "4e B", "2nde GT 1"}),
            ("sophie.bernard", {"5e A", "4e B"}),
            ("nadia.petit", {"5e A", "4e B"}),
            ("marc.leroy", {"5e A", "4e B"}),
            ("julie.moreau", {"5e A", "4e B"}),
            ("admin.region", {"5e A", "4e B", "2nde GT 1", "5e 1"}),
            ("charlie.roux", {"5e 1"}),
            ("nathalie.lambert", {"5e 1"}),
            ("hugo.lambert", {"5e 1"}),
        ]:
            with self.subTest(username=username):
                visible = self.assert_faces_agree(SchoolClass, username)
                self.assertEqual(visible, {self.classes[k].pk for k in expected})

    def test_who_changes_a_class(self):
        """Changing a class is for the direction and the ENT administrator, not the head teacher."""
        five_a = self.classes["5e A"]
        for username in EVERYONE:
            expected = username in {"marc.leroy", "julie.moreau", "admin.region"}
            with self.subTest(username=username):
                self.assertIs(authz.allows(self.actor(username), Action.CHANGE, five_a), expected)
                self.assertIs(authz.allows(self.actor(username), Action.DELETE, five_a), username == "admin.region")

    def test_a_guardian_no_longer_sees_a_class_the_child_has_left(self):
        """A past enrolment of a child opens nothing: both faces follow current enrolments only."""
        from cartable.directory.models import Enrolment

        four_b = self.classes["4e B"]
        Enrolment.objects.create(
            establishment=four_b.establishment,
            student=self.people["lucas.martin"],
            school_class=four_b,
            start_date=self.school.college.year.start_date.replace(year=2019),
            end_date=self.school.college.year.start_date.replace(year=2020),
        )
        visible = self.assert_faces_agree(SchoolClass, "claire.martin")
        self.assertNotIn(four_b.pk, visible)


class PersonPolicyTests(PolicyMatrixTestCase):
    def test_who_sees_whom(self):
        """Staff see their establishments' people; families see themselves, their children and the staff."""
        lycee_staff = {"paul.dupont"}
        for username, expected in [
            ("lucas.martin", {"lucas.martin"} | COLLEGE_STAFF),
            ("zoe.fontaine", {"zoe.fontaine"} | COLLEGE_STAFF),
            ("emma.martin", {"emma.martin"} | lycee_staff),
            ("claire.martin", {"claire.martin", "lucas.martin", "emma.martin"} | COLLEGE_STAFF),
            ("thomas.girard", {"thomas.girard", "ines.girard"} | COLLEGE_STAFF),
            ("paul.dupont", COLLEGE_PEOPLE | {"emma.martin"}),
            ("sophie.bernard", COLLEGE_PEOPLE),
            ("nadia.petit", COLLEGE_PEOPLE),
            ("marc.leroy", COLLEGE_PEOPLE),
            ("julie.moreau", COLLEGE_PEOPLE),
            ("admin.region", set(self.people)),
            ("charlie.roux", OTHER_PEOPLE),
            ("nathalie.lambert", OTHER_PEOPLE),
        ]:
            with self.subTest(username=username):
                visible = self.assert_faces_agree(User, username)
                self.assertEqual(visible, {self.people[u].pk for u in expected})

    def test_only_oneself_and_the_region_change_a_person(self):
        """A person changes their own record; nobody else but the region does, not even the principal."""
        lucas = self.people["lucas.martin"]
        for username in EVERYONE:
            expected = username in {"lucas.martin", "admin.region"}
            with self.subTest(username=username):
                self.assertIs(authz.allows(self.actor(username), Action.CHANGE, lucas), expected)
                self.assertIs(authz.allows(self.actor(username), Action.DELETE, lucas), username == "admin.region")


class MembershipPolicyTests(PolicyMatrixTestCase):
    def test_who_sees_which_membership(self):
        """Everyone sees their own memberships; the collège's managers (CPE, principal, ENT admin) see its."""
        college = self.establishments["college"]
        managers = {"nadia.petit", "marc.leroy", "julie.moreau"}
        for username in EVERYONE:
            user = self.people[username]
            with self.subTest(username=username):
                visible = self.assert_faces_agree(Membership, username)
                if username == "admin.region":
                    expected = Membership.objects.all()
                elif username in managers:
                    expected = Membership.objects.filter(person=user) | Membership.objects.filter(establishment=college)
                else:
                    expected = Membership.objects.filter(person=user)
                self.assertEqual(visible, set(expected.values_list("pk", flat=True)))

    def test_only_the_region_changes_memberships(self):
        """Memberships come from provisioning: no one in an establishment edits them here."""
        lucas_membership = Membership.objects.get(person=self.people["lucas.martin"])
        for username in EVERYONE:
            with self.subTest(username=username):
                self.assertIs(
                    authz.allows(self.actor(username), Action.CHANGE, lucas_membership), username == "admin.region"
                )


class EntryPointTests(PolicyMatrixTestCase):
    def test_access_answers_the_same_404_for_missing_and_forbidden(self):
        """charlie asking for the collège's class gets exactly what a missing class gets."""
        charlie = self.actor("charlie.roux")
        five_a = self.classes["5e A"]
        missing_pk = SchoolClass.objects.order_by("-pk").first().pk + 1000
        errors = []
        for pk in (five_a.pk, missing_pk, "not-a-number", None):
            with self.subTest(pk=pk), self.assertRaises(Http404) as caught:
                authz.access(charlie, SchoolClass, pk)
            errors.append(caught.exception.args)
        self.assertEqual(len(set(errors)), 1, errors)

    def test_access_returns_the_object_when_allowed(self):
        """A member fetches a visible row, optionally through a queryset that preloads relations."""
        five_a = self.classes["5e A"]
        lucas = self.actor("lucas.martin")
        self.assertEqual(authz.access(lucas, SchoolClass, five_a.pk), five_a)
        queryset = SchoolClass.objects.select_related("establishment")
        with self.assertNumQueries(1):
            # Lucas's enrolment and memberships are loaded on the actor already.
            lucas.class_ids, lucas.memberships  # noqa: B018
            found = authz.access(lucas, queryset, five_a.pk)
            self.assertEqual(found.establishment.name, "Collège Louis Pasteur")

    def test_access_checks_the_requested_action(self):
        """Viewing is not changing: the head teacher reads 5e A but may not change it."""
        five_a = self.classes["5e A"]
        paul = self.actor("paul.dupont")
        self.assertEqual(authz.access(paul, SchoolClass, five_a.pk, Action.VIEW), five_a)
        with self.assertRaises(Http404):
            authz.access(paul, SchoolClass, five_a.pk, Action.CHANGE)

    def test_require_raises_permission_denied(self):
        """``require`` raises PermissionDenied when not allowed and returns quietly otherwise."""
        college = self.establishments["college"]
        with self.assertRaises(PermissionDenied):
            authz.require(self.actor("charlie.roux"), Action.VIEW, college)
        with self.assertRaises(PermissionDenied):
            authz.require(self.actor("paul.dupont"), Action.CHANGE, college)
        self.assertIsNone(authz.require(self.actor("marc.leroy"), Action.CHANGE, college))

    def test_anonymous_actors_get_nothing(self):
        """Without a signed-in person, every check is false and every list empty."""
        objects = [
            self.establishments["college"],
            self.classes["5e A"],
            self.people["lucas.martin"],
            Membership.objects.first(),
        ]
        for actor in (ANONYMOUS, None, Actor(None)):
            for obj in objects:
                for action in Action:
                    with self.subTest(actor=actor, model=type(obj).__name__, action=action):
                        self.assertFalse(authz.allows(actor, action, obj))
            for model in (Establishment, SchoolClass, User, Membership):
                with self.subTest(actor=actor, model=model.__name__):
                    self.assertFalse(model.objects.visible_to(actor).exists())
            with self.subTest(actor=actor, entry="access"), self.assertRaises(Http404):
                authz.access(actor, Establishment, objects[0].pk)

    def test_a_model_without_a_policy_denies_everything(self):
        """A directory model nobody wrote a policy for refuses even the region, and its lists are empty."""
        unguarded = [
            m
            for m in (Subject, Period, SchoolYear, Group, Enrolment)
            if m not in authz.registered_policies() and m.objects.exists()
        ]
        self.assertTrue(unguarded, "every candidate got a policy: pick another model without one")
        region = self.actor("admin.region")
        for model in unguarded:
            row = model.objects.first()
            with self.subTest(model=model.__name__):
                self.assertIsInstance(authz.policy_for(model), authz.DenyAll)
                for action in Action:
                    self.assertFalse(authz.allows(region, action, row))
                self.assertFalse(model.objects.visible_to(region).exists())
                with self.assertRaises(Http404):
                    authz.access(region, model, row.pk)

    def test_a_second_policy_for_a_model_is_refused(self):
        """Registering two policies for one model is a programming error, caught at start-up."""
        with self.assertRaises(RuntimeError):

            @authz.register(Establishment)
            class Another(authz.Policy):
                pass

        self.assertNotEqual(type(authz.policy_for(Establishment)).__name__, "Another")


class ActorTests(PolicyMatrixTestCase):
    def test_a_guardian_acts_in_one_establishment_at_a_time(self):
        """claire acting at the lycée sees Emma as her child there; at the collège, Lucas."""
        college, lycee = self.establishments["college"], self.establishments["lycee"]
        for establishment, child in [(college, "lucas.martin"), (lycee, "emma.martin")]:
            with self.subTest(establishment=establishment.name):
                actor = self.actor("claire.martin", role=Role.GUARDIAN, establishment=establishment)
                self.assertEqual(actor.establishment, establishment)
                self.assertEqual(actor.role, Role.GUARDIAN)
                self.assertEqual([c.id for c in actor.children_here], [self.people[child].pk])
                self.assertEqual(actor.child.id, self.people[child].pk)
                self.assertEqual(actor.module_settings, establishment.module_settings)
                # Relationships, not the active establishment, decide what she may see.
                self.assertEqual(actor.children_ids, {self.people["lucas.martin"].pk, self.people["emma.martin"].pk})

    def test_a_person_with_two_roles_holds_both(self):
        """sophie is teacher and guardian at the collège; switching role changes the view, not her rights."""
        lea = self.people["lea.bernard"]
        ines = self.people["ines.girard"]
        for role in (Role.TEACHER, Role.GUARDIAN):
            with self.subTest(role=role):
                actor = self.actor("sophie.bernard", role=role)
                self.assertEqual(actor.role, role)
                self.assertEqual(actor.roles_in(self.establishments["college"].pk), {Role.TEACHER, Role.GUARDIAN})
                self.assertTrue(authz.allows(actor, Action.VIEW, lea))  # her daughter
                self.assertTrue(authz.allows(actor, Action.VIEW, ines))  # a student of the collège
                self.assertFalse(authz.allows(actor, Action.CHANGE, lea))
                self.assertEqual([c.id for c in actor.children_here], [lea.pk])
        self.assertEqual(self.actor("sophie.bernard").role, Role.TEACHER, "the teaching role comes first")

    def test_the_actor_loads_its_relations_once(self):
        """Rules run in memory: asking the same questions twice costs no query the second time."""
        actor = self.actor("claire.martin")
        with self.assertNumQueries(3):  # memberships, guardianships, children's enrolments
            actor.children_here  # noqa: B018
        with self.assertNumQueries(0):
            actor.children_ids, actor.establishment_ids, actor.is_regional_admin, actor.child  # noqa: B018

    def test_the_actors_role_questions_are_answered_once(self):
        """paul.dupont: the establishments he teaches or directs in, the class he heads, the students he
        teaches; each set is loaded once, then answered in memory."""
        paul = self.actor("paul.dupont")
        college, lycee = self.establishments["college"], self.establishments["lycee"]
        five_a = SchoolClass.objects.get(establishment=college, name="5e A")
        self.assertEqual(paul.establishments_where({Role.TEACHER}), {college.pk, lycee.pk})
        self.assertEqual(paul.direction_ids, frozenset())
        self.assertFalse(paul.directs(college.pk))
        self.assertTrue(self.actor("marc.leroy").directs(college.pk))
        self.assertTrue(self.actor("admin.region").directs(college.pk))
        self.assertIn(five_a.pk, paul.headed.class_ids)
        self.assertIn(self.people["lucas.martin"].pk, paul.headed.student_ids)
        self.assertIn(self.people["lucas.martin"].pk, paul.taught_student_ids)
        self.assertTrue(any(t.class_id == five_a.pk for t in paul.teaching))
        paul.teaching_reach, paul.taught_class_subjects  # noqa: B018
        with self.assertNumQueries(0):
            paul.headed, paul.taught_student_ids, paul.teaching_reach, paul.taught_class_subjects  # noqa: B018
            paul.acting_as(paul.membership.pk).headed  # noqa: B018  (another role, the same person)
        self.assertEqual(self.actor("lucas.martin").family_student_ids, {self.people["lucas.martin"].pk})
        self.assertEqual(
            self.actor("claire.martin").family_student_ids,
            {self.people["lucas.martin"].pk, self.people["emma.martin"].pk},
        )


class NamedPermissionTests(PersonaTestCase):
    """Checks on what is not a row are registered by name and answered by the same entry points."""

    def test_a_named_permission_answers_through_require_allows_and_can(self):
        """A registered check decides; anonymous actors are refused before it runs."""
        seen = []
        self.addCleanup(authz.base._permissions.pop, "tests.read_board", None)

        @authz.permission("tests.read_board", about=Establishment)
        def read_board(actor, establishment):
            seen.append(actor)
            return establishment.pk in actor.establishments_where({Role.DIRECTION})

        college = Establishment.objects.get(uai="0540042K")
        self.assertTrue(authz.can(self.actor("marc.leroy"), "tests.read_board", college))
        self.assertFalse(authz.allows(self.actor("paul.dupont"), "tests.read_board", college))
        with self.assertRaises(PermissionDenied):
            authz.require(self.actor("lucas.martin"), "tests.read_board", college)
        with self.assertRaises(Http404):
            authz.require_or_404(self.actor("lucas.martin"), "tests.read_board", college)
        self.assertFalse(authz.allows(ANONYMOUS, "tests.read_board", college))
        self.assertEqual(len(seen), 4, "the anonymous actor never reached the check")
        self.assertIn("tests.read_board", authz.registered_permissions())

    def test_an_unknown_permission_name_is_a_programming_error(self):
        """A typo in a permission's name raises instead of silently refusing."""
        with self.assertRaises(LookupError):
            authz.allows(self.actor("marc.leroy"), "tests.no_such_permission", None)
        with self.assertRaises(ValueError):
            authz.permission("no_dot", about=None)

    def test_an_establishment_role_policy_gives_both_faces(self):
        """The base policy for establishment rows: the listed roles see and change, others nothing."""

        class SubjectRules(authz.EstablishmentRolePolicy):
            roles = {Action.VIEW: frozenset({Role.TEACHER}), Action.CHANGE: frozenset({Role.DIRECTION})}

        policy = SubjectRules()
        subject = Subject.objects.filter(establishment__uai="0540042K").first()
        for who, sees, changes in [
            ("paul.dupont", True, False),
            ("marc.leroy", False, True),
            ("lucas.martin", False, False),
            ("charlie.roux", False, False),
            ("admin.region", True, True),
        ]:
            with self.subTest(who=who):
                actor = self.actor(who)
                self.assertIs(policy.allows(actor, Action.VIEW, subject), sees)
                self.assertIs(policy.allows(actor, Action.CHANGE, subject), changes)
                self.assertIs(policy.scope(actor, Subject.objects.filter(pk=subject.pk)).exists(), sees)


class SwitchViewTests(PersonaTestCase):
    def membership_of(self, username, role, establishment):
        return Membership.objects.get(person=self.people[username], role=role, establishment=establishment)

    def test_switching_to_another_persons_membership_is_a_404(self):
        """sophie may act through her own memberships only; anything else looks missing."""
        college = self.school.college.establishment
        self.login("sophie.bernard")
        url = reverse("directory:switch_role")
        paul_teacher = self.membership_of("paul.dupont", Role.TEACHER, college)
        for value in (paul_teacher.pk, 10**9, "abc", ""):
            with self.subTest(membership=value):
                self.assertEqual(self.client.post(url, {"membership": value}).status_code, 404)
        self.assertNotIn(SESSION_MEMBERSHIP, self.client.session)

    def test_switching_to_ones_own_role(self):
        """sophie switches to her guardian role; the dashboard then shows it."""
        mine = self.membership_of("sophie.bernard", Role.GUARDIAN, self.school.college.establishment)
        self.login("sophie.bernard")
        response = self.client.post(reverse("directory:switch_role"), {"membership": mine.pk})
        self.assertRedirects(response, reverse("dashboard:home"), fetch_redirect_response=False)
        self.assertEqual(self.client.session[SESSION_MEMBERSHIP], mine.pk)
        self.assertContains(self.client.get(reverse("dashboard:home")), "Responsable légal")

    def test_switches_answer_post_only(self):
        """A link cannot switch somebody's role: GET is refused."""
        self.login("sophie.bernard")
        for name in ("directory:switch_role", "directory:switch_child"):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name)).status_code, 405)

    def test_switching_to_another_familys_child_is_a_404(self):
        """claire may look at Lucas and Emma, never at Inès (the Girards' daughter) nor Hugo."""
        self.login("claire.martin")
        url = reverse("directory:switch_child")
        for username in ("ines.girard", "hugo.lambert", "claire.martin"):
            with self.subTest(child=username):
                self.assertEqual(self.client.post(url, {"child": self.people[username].pk}).status_code, 404)
        self.assertEqual(self.client.post(url, {"child": "x"}).status_code, 404)
        self.assertNotIn(SESSION_CHILD, self.client.session)

    def test_a_teacher_who_is_a_parent_picks_her_child_as_guardian(self):
        """sophie.bernard, acting as teacher at the collège, picks Léa (enrolled there): she now acts through
        her guardian membership, not her teacher's, as a notice's ``?enfant=`` link also does."""
        college = self.school.college.establishment
        teacher = self.membership_of("sophie.bernard", Role.TEACHER, college)
        self.login("sophie.bernard")
        self.client.post(reverse("directory:switch_role"), {"membership": teacher.pk, "next": "/"})
        self.client.post(reverse("directory:switch_child"), {"child": self.people["lea.bernard"].pk, "next": "/"})
        guardian = self.membership_of("sophie.bernard", Role.GUARDIAN, college)
        self.assertEqual(self.client.session[SESSION_MEMBERSHIP], guardian.pk)

    def test_picking_a_child_elsewhere_moves_the_guardian_there(self):
        """When claire picks Emma, she acts as guardian at the lycée agricole."""
        emma = self.people["emma.martin"]
        lycee = self.school.lycee.establishment
        self.login("claire.martin")
        dashboard = self.client.get(reverse("dashboard:home"))
        self.assertContains(dashboard, "Collège Louis Pasteur")
        response = self.client.post(reverse("directory:switch_child"), {"child": emma.pk, "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        session = self.client.session
        self.assertEqual(session[SESSION_CHILD], emma.pk)
        self.assertEqual(session[SESSION_MEMBERSHIP], self.membership_of("claire.martin", Role.GUARDIAN, lycee).pk)
        actor = Actor(
            self.people["claire.martin"],
            membership_id=session[SESSION_MEMBERSHIP],
            child_id=session[SESSION_CHILD],
        )
        self.assertEqual(actor.establishment, lycee)
        self.assertEqual(actor.child.id, emma.pk)
        self.assertContains(self.client.get(reverse("dashboard:home")), "Lycée agricole de Metz-Courcelles")

    def test_an_unsafe_next_falls_back_to_the_dashboard(self):
        """The switch never redirects off-site."""
        mine = self.membership_of("sophie.bernard", Role.GUARDIAN, self.school.college.establishment)
        self.login("sophie.bernard")
        response = self.client.post(
            reverse("directory:switch_role"), {"membership": mine.pk, "next": "https://evil.example/"}
        )
        self.assertRedirects(response, reverse("dashboard:home"), fetch_redirect_response=False)
