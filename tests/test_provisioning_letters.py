"""The account life cycle fed by the directory: a person whose last membership a delta ends loses their open
sessions at once; the direction or the ENT administrator prints a class's activation letters (one page per
person not yet activated, guardians naming their children), and printing again replaces the codes."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from cartable.accounts.models import AccountSession
from cartable.core.models import AuditEvent
from tests.support import aaf
from tests.test_provisioning_aaf import person, run_files


class LeavingTests(TestCase):
    def test_a_delete_request_ends_the_last_membership_and_closes_the_sessions(self):
        """Yann, the secretary, leaves in the delta (``deleteRequest``): his session ends at once; Chloé, who
        only changes class, stays signed in."""
        run_files(aaf.complete_set())
        yann, chloe = person("S1"), person("E1")
        self.client.force_login(yann)
        other = self.client_class()
        other.force_login(chloe)
        self.assertEqual(AccountSession.objects.filter(user__in=[yann, chloe]).count(), 2)
        run, _plan = run_files(aaf.delta_set())
        self.assertEqual(run.outcome, "applied", run.errors)
        self.assertFalse(AccountSession.objects.filter(user=yann).exists())
        self.assertTrue(AccountSession.objects.filter(user=chloe).exists())
        self.assertEqual(self.client.get(reverse("dashboard:home")).status_code, 302)  # signed out
        self.assertEqual(other.get(reverse("dashboard:home")).status_code, 200)
        event = AuditEvent.objects.get(verb="accounts.end_sessions_of")
        self.assertEqual(
            (event.subject_id, event.after), (yann.pk, {"ended": 1, "reason": f"provisioning.import:{run.pk}"})
        )
