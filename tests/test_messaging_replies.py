"""What the rules page's simulation says of replies is what the code does: a reply to the person who wrote
stays allowed whatever the rule; a « reply to all » reaches the others only where the rules allow."""

from django.urls import reverse

from cartable.messaging import actions
from cartable.messaging.models import Reach
from tests.support.personas import PersonaTestCase


class RepliesStayAllowedTests(PersonaTestCase):
    def setUp(self):
        college = self.school.college.establishment.pk
        # Parents may no longer write to teachers, nor (by default) to other parents.
        actions.set_rules(
            actor=self.actor("julie.moreau"), establishment_id=college, table={("guardian", "teacher"): Reach.NONE}
        )
        # sophie.bernard teaches Lucas at the collège only (paul.dupont also teaches Emma at the lycée).
        self.claire = self.actor("claire.martin")
        self.message, _r = actions.send_message(
            actor=self.actor("sophie.bernard", role="teacher"),
            subject="Sortie",
            body="<p>Bonjour</p>",
            keys=[f"u:{self.people['claire.martin'].pk}", f"u:{self.people['thomas.girard'].pk}"],
        )

    def test_a_parent_replies_to_the_teacher_who_wrote_whatever_the_rule(self):
        """claire.martin may not write to sophie.bernard any more, but she answers her message."""
        sophie = f"u:{self.people['sophie.bernard'].pk}"
        with self.assertRaises(actions.RecipientsRefused):
            actions.send_message(actor=self.claire, subject="Question", body="<p>?</p>", keys=[sophie])
        reply, recipients = actions.send_message(
            actor=self.claire, subject="RE : Sortie", body="<p>Merci</p>", keys=[sophie], parent=self.message
        )
        self.assertEqual(set(recipients.ids), {self.people["sophie.bernard"].pk})
        self.assertEqual(reply.thread_root_id, self.message.pk)

    def test_a_reply_to_all_reaches_the_others_only_where_the_rules_allow(self):
        """Answering to all, claire.martin may not reach thomas.girard, another parent."""
        keys = [f"u:{self.people['sophie.bernard'].pk}", f"u:{self.people['thomas.girard'].pk}"]
        with self.assertRaises(actions.RecipientsRefused) as refused:
            actions.send_message(actor=self.claire, subject="RE", body="<p>Merci</p>", keys=keys, parent=self.message)
        self.assertEqual(len(refused.exception.refused), 1)  # thomas.girard, whom she may not even see named

    def test_the_simulation_says_so(self):
        """The simulation of a rule change says that replies stay allowed (and reply-all does not)."""
        self.login("julie.moreau")
        response = self.client.post(reverse("messaging:rules"), {"op": "simulate", "student__student": "none"})
        self.assertContains(response, "Les réponses restent permises")
        self.assertContains(response, "n'atteint les autres participants que si la règle le permet")
