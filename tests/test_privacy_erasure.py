"""Erasing a person and limiting their processing: one audited action over every provider, and granted requests
that act on the data."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from cartable.attendance.models import Absence, AbsenceReason, Justification
from cartable.core import authz, registry
from cartable.core.models import AuditEvent, Notification
from cartable.core.tasks import AUDIT_RETENTION, purge_expired_records
from cartable.directory.models import Enrolment, Guardianship, User
from cartable.privacy import actions, retention
from cartable.privacy.models import DataExport, Limitation, PrivacyRequest
from tests.support.files import OwnMediaTestCase

SUBMIT = reverse("privacy:submit_request")


class ErasePersonTests(OwnMediaTestCase):
    def justification_with_a_file(self, student: User) -> str:
        school = self.school.college.establishment
        name = default_storage.save("attendance/justifications/certificat.pdf", ContentFile(b"%PDF-1.4 certificat"))
        now = timezone.now()
        Justification.objects.create(
            establishment=school,
            student=student,
            reason=AbsenceReason.objects.create(establishment=school, label="Maladie"),
            absence=Absence.objects.create(
                establishment=school, student=student, start=now, end=now + dt.timedelta(hours=1), source="staff"
            ),
            document=name,
        )
        return name

    def test_who_may_erase_a_person_outright(self):
        """Only the region (its DPO); a head erases by granting a request, a family never."""
        lucas = self.people["lucas.martin"]
        for who, expected in [("admin.region", True), ("marc.leroy", False), ("claire.martin", False)]:
            with self.subTest(who=who):
                self.assertIs(authz.allows(self.actor(who), "privacy.erase_person", lucas), expected)

    def test_erasing_lucas_runs_every_provider_once_and_removes_his_files_after_commit(self):
        """One audit row per provider with its rows, his identity and rows gone, his file removed after commit,
        his mother's own data kept; a second run changes nothing."""
        lucas = self.people["lucas.martin"]
        stored = self.justification_with_a_file(lucas)
        with self.captureOnCommitCallbacks(execute=True):
            counts = actions.erase_person(actor=self.actor("admin.region"), person=lucas, reason="Test")
        self.assertEqual(set(counts), {m._meta.label for m in registry.data_providers()})
        self.assertGreaterEqual(counts["attendance.Absence"], 1)
        per_provider = AuditEvent.objects.filter(verb__endswith=".erase_personal_data", subject_id=lucas.pk)
        self.assertEqual(per_provider.count(), len(registry.data_providers()))
        self.assertTrue(AuditEvent.objects.filter(verb="privacy.erase_person", subject_id=lucas.pk).exists())
        lucas.refresh_from_db()
        self.assertEqual((lucas.first_name, lucas.is_active), ("", False))
        self.assertFalse(Enrolment.objects.filter(student=lucas).exists())
        self.assertFalse(Guardianship.objects.filter(student=lucas).exists())
        self.assertFalse(Absence.objects.filter(student=lucas).exists())
        self.assertFalse(default_storage.exists(stored))
        self.assertTrue(User.objects.get(pk=self.people["claire.martin"].pk).first_name)
        rows = AuditEvent.objects.count()
        self.assertEqual(actions.erase_person(actor=self.actor("admin.region"), person=lucas, reason="Encore"), {})
        self.assertEqual(AuditEvent.objects.count(), rows)

    def test_a_rollback_keeps_the_file(self):
        """Files go only once the erasure commits."""
        lucas = self.people["lucas.martin"]
        stored = self.justification_with_a_file(lucas)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            actions.erase_person(actor=self.actor("admin.region"), person=lucas, reason="Test")
        self.assertTrue(callbacks)
        self.assertTrue(default_storage.exists(stored))


class GrantedRequestTests(OwnMediaTestCase):
    def ask(self, kind: str) -> PrivacyRequest:
        self.login("claire.martin")
        self.client.post(SUBMIT, {"subject": self.people["lucas.martin"].pk, "kind": kind, "body": "Pour Lucas."})
        return PrivacyRequest.objects.latest("id")

    def answer(self, request: PrivacyRequest, decision: str, reply: str = ""):
        self.login("marc.leroy")
        url = reverse("privacy:answer_request", args=[request.pk])
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, {"decision": decision, "reply": reply})

    def test_a_granted_erasure_erases_the_child_and_keeps_the_answer(self):
        """Marc Leroy grants Claire's erasure request: Lucas is erased, the closed request stays to prove the
        answer, and Claire is told."""
        lucas = self.people["lucas.martin"]
        request = self.ask(PrivacyRequest.Kind.ERASURE)
        self.assertEqual(self.answer(request, "granted").status_code, 302)
        lucas.refresh_from_db()
        self.assertFalse(lucas.is_active)
        self.assertFalse(Enrolment.objects.filter(student=lucas).exists())
        request.refresh_from_db()
        self.assertEqual(request.status, PrivacyRequest.Status.GRANTED)
        self.assertTrue(
            Notification.objects.filter(recipient=self.people["claire.martin"], title__contains="Accordée").exists()
        )
        erased = AuditEvent.objects.get(verb="privacy.erase_person", subject_id=lucas.pk)
        self.assertEqual(erased.actor, self.people["marc.leroy"])

    def test_a_refused_erasure_erases_nothing(self):
        lucas = self.people["lucas.martin"]
        self.answer(self.ask(PrivacyRequest.Kind.ERASURE), "refused", "Obligation légale de conservation.")
        self.assertTrue(User.objects.get(pk=lucas.pk).is_active)
        self.assertTrue(Enrolment.objects.filter(student=lucas).exists())

    def test_a_granted_limitation_freezes_the_data_until_lifted(self):
        """Limited: neither the retention job nor the DPO erases Lucas; once lifted, both may."""
        lucas = self.people["lucas.martin"]
        request = self.ask(PrivacyRequest.Kind.LIMITATION)
        self.answer(request, "granted")
        limitation = Limitation.objects.get(subject=lucas, lifted_at=None)
        self.assertEqual(limitation.request, request)
        now = timezone.now()
        old = Absence.objects.create(
            establishment=self.school.college.establishment,
            student=lucas,
            start=now - dt.timedelta(days=800),
            end=now - dt.timedelta(days=800) + dt.timedelta(hours=1),
            source="staff",
        )
        retention.apply()
        self.assertTrue(Absence.objects.filter(pk=old.pk).exists())
        with self.assertRaises(actions.Limited):
            actions.erase_person(actor=self.actor("admin.region"), person=lucas, reason="Test")
        actions.lift_limitation(actor=self.actor("marc.leroy"), limitation=limitation)
        self.assertTrue(AuditEvent.objects.filter(verb="privacy.lift_limitation", subject_id=lucas.pk).exists())
        retention.apply()
        self.assertFalse(Absence.objects.filter(pk=old.pk).exists())

    def test_a_limitation_is_said_on_the_childs_page(self):
        lucas = self.people["lucas.martin"]
        self.answer(self.ask(PrivacyRequest.Kind.LIMITATION), "granted")
        self.login("claire.martin")
        page = self.client.get(reverse("privacy:index")).content.decode()
        self.assertIn("Traitement limité", page)
        self.assertIn(lucas.first_name, page)


class OtherJobsTests(OwnMediaTestCase):
    """The rules applied by an app's own job: kept the day before, gone the day after, nothing more after."""

    def test_every_rule_of_another_job_has_a_case_here(self):
        others = {
            p.model._meta.label
            for p in registry.data_providers().values()
            if p.retention_rule and p.retention_rule.clock and p.retention_rule.job != retention.JOB
        }
        # provisioning.LetterBatch: tests/test_provisioning_letters.py, test_letters_go_after_their_day
        self.assertEqual(others, {"core.AuditEvent", "privacy.DataExport", "provisioning.LetterBatch"})

    def test_the_audit_trail_goes_after_a_year(self):
        now = timezone.now()
        kept, gone = AuditEvent.objects.create(verb="test.kept"), AuditEvent.objects.create(verb="test.gone")
        AuditEvent.objects.filter(pk=kept.pk).update(at=now - AUDIT_RETENTION + dt.timedelta(days=1))
        AuditEvent.objects.filter(pk=gone.pk).update(at=now - AUDIT_RETENTION - dt.timedelta(days=1))
        purge_expired_records.call()
        self.assertTrue(AuditEvent.objects.filter(pk=kept.pk).exists())
        self.assertFalse(AuditEvent.objects.filter(pk=gone.pk).exists())
        self.assertEqual(purge_expired_records.call()["audit"], 0)

    def test_an_archive_goes_after_its_seven_days(self):
        now = timezone.now()
        lucas = self.people["lucas.martin"]
        export = DataExport.objects.create(requested_by=lucas, subject=lucas, expires_at=now + dt.timedelta(days=7))
        self.assertEqual(actions.purge_expired_exports(now=now + dt.timedelta(days=6)), 0)
        self.assertEqual(actions.purge_expired_exports(now=now + dt.timedelta(days=8)), 1)
        self.assertFalse(DataExport.objects.filter(pk=export.pk).exists())
        self.assertEqual(actions.purge_expired_exports(now=now + dt.timedelta(days=9)), 0)


class LiftTests(OwnMediaTestCase):
    def test_the_head_lifts_the_limitation_from_the_request_page(self):
        """Marc Leroy sees the limitation on the granted request and lifts it; Claire cannot (the same 404)."""
        lucas = self.people["lucas.martin"]
        self.login("claire.martin")
        self.client.post(SUBMIT, {"subject": lucas.pk, "kind": "limitation", "body": "Le temps du recours."})
        request = PrivacyRequest.objects.latest("id")
        self.login("marc.leroy")
        self.client.post(reverse("privacy:answer_request", args=[request.pk]), {"decision": "granted", "reply": ""})
        page = self.client.get(reverse("privacy:request", args=[request.pk])).content.decode()
        self.assertIn("Lever la limitation", page)
        lift = reverse("privacy:lift_limitation", args=[request.pk])
        self.login("claire.martin")
        self.assertEqual(self.client.post(lift).status_code, 404)
        self.assertTrue(Limitation.objects.filter(subject=lucas, lifted_at=None).exists())
        self.login("marc.leroy")
        self.assertEqual(self.client.post(lift).status_code, 302)
        self.assertFalse(Limitation.objects.filter(subject=lucas, lifted_at=None).exists())
        self.assertEqual(self.client.post(lift).status_code, 404)
