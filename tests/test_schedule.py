"""Periodic jobs: queued once per interval whatever the number of workers, and the retention they apply."""

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from cartable.accounts.models import LoginAttempt
from cartable.core import registry, schedule
from cartable.core.audit import record
from cartable.core.models import AuditEvent, JobRun, Notification
from cartable.core.notify import notify
from tests.support.personas import PersonaTestCase


class ScheduleTests(PersonaTestCase):
    def test_each_job_is_queued_once_per_interval(self):
        """A first call queues every job; an immediate second call queues none; after the interval, again."""
        keys = {j.key for j in registry.periodic_jobs()}
        self.assertIn("core.purge_expired_records", keys)
        self.assertIn("accounts.purge_account_records", keys)
        now = timezone.now()
        self.assertEqual(set(schedule.enqueue_due(now)), keys)
        self.assertEqual(schedule.enqueue_due(now + dt.timedelta(seconds=30)), [])
        later = schedule.enqueue_due(now + dt.timedelta(hours=2))
        self.assertIn("accounts.purge_account_records", later)
        self.assertNotIn("core.purge_expired_records", later)

    def test_a_claimed_run_is_not_queued_again_by_a_second_worker(self):
        """Two workers reading the same stale row: only the first conditional update wins."""
        now = timezone.now()
        schedule.enqueue_due(now)
        run = JobRun.objects.get(key="core.purge_expired_records")
        stale = run.last_enqueued_at
        later = now + dt.timedelta(days=2)
        first = JobRun.objects.filter(pk=run.pk, last_enqueued_at=stale).update(last_enqueued_at=later)
        second = JobRun.objects.filter(pk=run.pk, last_enqueued_at=stale).update(last_enqueued_at=later)
        self.assertEqual((first, second), (1, 0))

    def test_retention_rules_purge_what_has_expired_and_keep_the_rest(self):
        """Audit rows past a year, notifications read six months ago, old failed sign-ins and expired
        sessions go; recent ones stay."""
        lucas = self.people["lucas.martin"]
        old_event = record(actor=None, verb="test.old", subject_id=lucas.pk)
        recent_event = record(actor=None, verb="test.recent", subject_id=lucas.pk)
        AuditEvent.objects.filter(pk=old_event.pk).update(at=timezone.now() - dt.timedelta(days=400))
        old_notice, recent_notice = (
            notify(recipients=[lucas], kind="accounts.welcome", title=t)[0] for t in ("ancienne", "récente")
        )
        Notification.objects.filter(pk=old_notice.pk).update(read_at=timezone.now() - dt.timedelta(days=200))
        Notification.objects.filter(pk=recent_notice.pk).update(read_at=timezone.now())
        attempt = LoginAttempt.objects.create(username="lucas.martin", ip_address="192.0.2.1")
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=timezone.now() - dt.timedelta(days=1))
        LoginAttempt.objects.create(username="lucas.martin", ip_address="192.0.2.1")
        expired = SessionStore()
        expired.create()
        Session.objects.filter(session_key=expired.session_key).update(
            expire_date=timezone.now() - dt.timedelta(days=1)
        )

        schedule.enqueue_due()  # the test task backend runs each queued task at once

        self.assertFalse(AuditEvent.objects.filter(pk=old_event.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(pk=recent_event.pk).exists())
        self.assertFalse(Notification.objects.filter(pk=old_notice.pk).exists())
        self.assertTrue(Notification.objects.filter(pk=recent_notice.pk).exists())
        self.assertEqual(LoginAttempt.objects.count(), 1)
        self.assertFalse(Session.objects.filter(session_key=expired.session_key).exists())
