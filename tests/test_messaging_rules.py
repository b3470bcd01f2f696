"""The communication rules: who may write to whom in the persona school, why (the reason names the rule),
an establishment's own rules, and the simulation of a change."""

from __future__ import annotations

from cartable.core.models import AuditEvent
from cartable.directory.models import Role
from cartable.messaging import actions
from cartable.messaging.models import CommunicationRule, Reach
from cartable.messaging.rules import DEFAULTS, explain, load_facts, simulate
from tests.support.personas import PersonaTestCase

PEOPLE = ["lucas.martin", "claire.martin", "paul.dupont", "nadia.petit", "marc.leroy", "julie.moreau", "charlie.roux"]
STAFF = ["paul.dupont", "nadia.petit", "marc.leroy", "julie.moreau"]
PLURAL = {
    "lucas.martin": "élèves",
    "claire.martin": "parents",
    "paul.dupont": "professeurs",
    "nadia.petit": "personnels de vie scolaire",
    "marc.leroy": "membres de la direction",
    "julie.moreau": "administrateurs ENT",
}
NAMES = {
    "lucas.martin": "Lucas Martin",
    "claire.martin": "Claire Martin",
    "paul.dupont": "Paul Dupont",
    "nadia.petit": "Nadia Petit",
    "marc.leroy": "Marc Leroy",
    "julie.moreau": "Julie Moreau",
    "charlie.roux": "Charlie Roux",
}


def expected(author: str, recipient: str) -> tuple[bool, str]:
    """The default rules over the persona school, written out pair by pair."""
    if "charlie.roux" in (author, recipient):
        return False, "Cette personne est introuvable."  # another school's people are not named
    a, r = PLURAL[author], PLURAL[recipient]
    if author in STAFF:
        return True, f"Les {a} peuvent écrire à tous les {r} dans cet établissement."
    related = {
        ("lucas.martin", "paul.dupont"): "Les élèves peuvent écrire à leurs professeurs dans cet établissement, "
        "et Paul Dupont en fait partie.",
        ("claire.martin", "paul.dupont"): "Les parents peuvent écrire aux professeurs de leurs enfants dans cet "
        "établissement, et Paul Dupont en fait partie.",
    }
    if (author, recipient) in related:
        return True, related[(author, recipient)]
    allowed = {("lucas.martin", "nadia.petit"), ("claire.martin", "nadia.petit"), ("claire.martin", "marc.leroy")}
    if (author, recipient) in allowed:
        return True, f"Les {a} peuvent écrire à tous les {r} dans cet établissement."
    return False, f"Les {a} ne peuvent pas écrire aux {r} dans cet établissement."


class CommunicationRuleTests(PersonaTestCase):
    def test_every_pair_of_roles_both_ways_with_its_reason(self):
        """Each pair of personas (every role, both directions, charlie of another school) gets the default
        rules' decision and a reason in plain words; the rule that decided is named."""
        for author in PEOPLE:
            actor = self.actor(author)
            for recipient in PEOPLE:
                if author == recipient:
                    continue
                with self.subTest(author=author, recipient=recipient):
                    decision = explain(actor, self.people[recipient])
                    allowed, reason = expected(author, recipient)
                    self.assertIs(decision.allowed, allowed)
                    self.assertIn(reason, decision.reason)
                    if "charlie.roux" not in (author, recipient):
                        self.assertIsNotNone(decision.rule)
                        self.assertTrue(decision.rule.is_default)
                        self.assertIn("règle par défaut", decision.rule.label)

    def test_a_student_writes_to_classmates_only(self):
        """Lucas (5e A) may write to Léa (5e A) but not to Inès (4e B), and is told the classmates rule."""
        lucas = self.actor("lucas.martin")
        self.assertTrue(explain(lucas, self.people["lea.bernard"]).allowed)
        decision = explain(lucas, self.people["ines.girard"])
        self.assertFalse(decision.allowed)
        self.assertEqual(
            decision.reason, "Les élèves ne peuvent écrire qu'aux élèves de leur classe dans cet établissement."
        )
        self.assertEqual((decision.rule.author_role, decision.rule.recipient_role), (Role.STUDENT, Role.STUDENT))

    def test_parents_reach_only_their_childrens_teachers(self):
        """Thomas Girard (Inès, 4e B) reaches Sophie Bernard (French in 4e B) but not Paul Dupont (5e A only)."""
        thomas = self.actor("thomas.girard")
        self.assertTrue(explain(thomas, self.people["sophie.bernard"]).allowed)
        decision = explain(thomas, self.people["paul.dupont"])
        self.assertFalse(decision.allowed)
        self.assertIn("qu'aux professeurs de leurs enfants", decision.reason)

    def test_shared_people_are_reached_through_the_establishment_they_share(self):
        """Claire (parent at the collège and the lycée) reaches Paul at the lycée too, where he teaches Emma; Emma
        (lycée) is reached by Paul; nobody of the collège reaches Charlie, nor he them."""
        self.assertTrue(explain(self.actor("paul.dupont"), self.people["emma.martin"]).allowed)
        self.assertTrue(explain(self.actor("charlie.roux"), self.people["hugo.lambert"]).allowed)
        self.assertFalse(explain(self.actor("nathalie.lambert"), self.people["paul.dupont"]).allowed)

    def test_an_establishment_changes_its_rules(self):
        """A row overrides the default cell and the reason says it is the establishment's rule."""
        CommunicationRule.objects.create(
            establishment=self.school.college.establishment,
            author_role=Role.STUDENT,
            recipient_role=Role.STUDENT,
            reach=Reach.NONE,
        )
        decision = explain(self.actor("lucas.martin"), self.people["lea.bernard"])
        self.assertFalse(decision.allowed)
        self.assertEqual(decision.reason, "Les élèves ne peuvent pas écrire aux élèves dans cet établissement.")
        self.assertIn("règle de l'établissement", decision.rule.label)

    def test_nobody_writes_to_themself_and_the_region_writes_to_all(self):
        """Writing to oneself is refused; the regional administrator reaches anyone."""
        self.assertFalse(explain(self.actor("paul.dupont"), self.people["paul.dupont"]).allowed)
        self.assertTrue(explain(self.actor("admin.region"), self.people["hugo.lambert"]).allowed)

    def test_facts_cost_six_queries_whatever_the_number_of_people(self):
        """Loading the facts of one person or of every persona costs the same queries."""
        with self.assertNumQueries(6):
            load_facts([self.people["lucas.martin"].pk])
        with self.assertNumQueries(6):
            load_facts([p.pk for p in self.people.values()])

    def test_only_the_establishment_administrator_saves_rules_and_it_is_audited(self):
        """julie.moreau (ENT administrator) saves the table; cells back to their default are not stored; others
        are refused."""
        college = self.school.college.establishment
        table = {(Role.STUDENT, Role.STUDENT): Reach.NONE, (Role.GUARDIAN, Role.GUARDIAN): Reach.RELATED}
        for who, allowed in [("julie.moreau", True), ("marc.leroy", False), ("paul.dupont", False)]:
            with self.subTest(who=who):
                if allowed:
                    self.assertEqual(
                        actions.set_rules(actor=self.actor(who), establishment_id=college.pk, table=table), 2
                    )
                else:
                    from django.core.exceptions import PermissionDenied

                    with self.assertRaises(PermissionDenied):
                        actions.set_rules(actor=self.actor(who), establishment_id=college.pk, table=table)
        self.assertEqual(CommunicationRule.objects.filter(establishment=college).count(), 2)
        self.assertTrue(AuditEvent.objects.filter(verb="messaging.set_rules").exists())
        back = {(Role.STUDENT, Role.STUDENT): DEFAULTS[(Role.STUDENT, Role.STUDENT)]}
        actions.set_rules(actor=self.actor("julie.moreau"), establishment_id=college.pk, table=back)
        self.assertEqual(CommunicationRule.objects.filter(establishment=college).count(), 1)

    def test_simulation_counts_pairs_gained_and_lost_without_saving(self):
        """Closing student → student loses the classmates pairs of 5e A (Lucas, Léa, Zoé: 6 ordered pairs) and
        saves nothing; opening parent → direction to nobody loses the collège's parents."""
        college = self.school.college.establishment
        changes = simulate(college.pk, {(Role.STUDENT, Role.STUDENT): Reach.NONE})
        self.assertEqual(len(changes), 1)
        self.assertEqual((changes[0].gained, changes[0].lost), (0, 6))
        self.assertTrue(changes[0].examples)
        self.assertFalse(CommunicationRule.objects.exists())
        changes = simulate(college.pk, {(Role.STUDENT, Role.STUDENT): Reach.ALL})
        self.assertEqual((changes[0].gained, changes[0].lost), (6, 0))  # Lucas, Léa, Zoé ↔ Inès
        self.assertEqual(simulate(college.pk, {(Role.STUDENT, Role.STUDENT): Reach.RELATED}), [])
