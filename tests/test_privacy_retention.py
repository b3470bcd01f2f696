"""Retention that acts: each registered rule keeps a row the day before its time, removes it the day after, and
finds nothing more on a second run; the account rule erases a person through ``erase_person``."""

import datetime as dt

from django.utils import timezone

from cartable.attendance.models import Absence, AbsenceReason, Justification, Lateness, Mark, MarkChange, RollCall
from cartable.core import dates, erasure, registry
from cartable.core.models import AuditEvent
from cartable.directory.models import Membership, TeachingAssignment, User
from cartable.homework.models import Homework, HomeworkDone, Submission
from cartable.messaging.models import MailboxEntry, Message
from cartable.privacy import actions, retention
from cartable.privacy.models import Limitation, PrivacyRequest
from cartable.timetable.models import TimetableImport
from tests.support.personas import PersonaTestCase

CLOCK = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def _school(case):
    return case.school.college.establishment


def _roll_call(case) -> RollCall:
    keys = RollCall.objects.filter(lesson_key__startswith="retention-test").count()
    assignment = TeachingAssignment.objects.filter(teacher=case.people["paul.dupont"]).first()
    return RollCall.objects.create(
        establishment=_school(case),
        lesson_key=f"retention-test-{keys}",
        date=CLOCK.date(),
        start=CLOCK,
        end=CLOCK + dt.timedelta(hours=1),
        assignment=assignment,
        called_by=case.people["paul.dupont"],
        validated_at=CLOCK,
    )


def _homework(case) -> Homework:
    assignment = TeachingAssignment.objects.filter(teacher=case.people["paul.dupont"]).first()
    return Homework.objects.create(
        establishment=_school(case),
        assignment=assignment,
        title="Exercices",
        due_date=CLOCK.date(),
        published_at=CLOCK,
        author=case.people["paul.dupont"],
    )


def _request(case, **kw) -> PrivacyRequest:
    lucas = case.people["lucas.martin"]
    return PrivacyRequest.objects.create(
        establishment=_school(case),
        requester=case.people["claire.martin"],
        subject=lucas,
        kind=PrivacyRequest.Kind.ACCESS,
        body="Mes données",
        due_on=CLOCK.date(),
        **kw,
    )


def _message(case) -> MailboxEntry:
    message = Message.objects.create(establishment=_school(case), sender=case.people["paul.dupont"], subject="Sortie")
    return MailboxEntry.objects.create(
        establishment=_school(case),
        message=message,
        person=case.people["lucas.martin"],
        box="inbox",
        trashed_at=CLOCK,
    )


# One row per rule, its clock at CLOCK (the rule's own clock field, or the roll call's for a mark).
MAKERS = {
    "attendance.Absence": lambda c: Absence.objects.create(
        establishment=_school(c),
        student=c.people["lucas.martin"],
        start=CLOCK,
        end=CLOCK + dt.timedelta(hours=2),
        source="staff",
    ),
    "attendance.Lateness": lambda c: Lateness.objects.create(
        establishment=_school(c), student=c.people["lucas.martin"], at=CLOCK, minutes=5
    ),
    "attendance.Mark": lambda c: Mark.objects.create(
        establishment=_school(c), roll_call=_roll_call(c), student=c.people["lucas.martin"]
    ),
    "attendance.MarkChange": lambda c: MarkChange.objects.create(
        establishment=_school(c),
        roll_call=_roll_call(c),
        student=c.people["lucas.martin"],
        before="present",
        after="absent",
        changed_at=CLOCK,
    ),
    "attendance.Justification": lambda c: Justification.objects.create(
        establishment=_school(c),
        student=c.people["lucas.martin"],
        reason=AbsenceReason.objects.create(establishment=_school(c), label="Maladie"),
        absence=Absence.objects.create(
            establishment=_school(c),
            student=c.people["lucas.martin"],
            start=CLOCK + dt.timedelta(days=400),
            end=CLOCK + dt.timedelta(days=400, hours=1),
            source="staff",
        ),
        created_at=CLOCK,
    ),
    "homework.HomeworkDone": lambda c: HomeworkDone.objects.create(
        homework=_homework(c), student=c.people["lucas.martin"], done_at=CLOCK
    ),
    "homework.Submission": lambda c: Submission.objects.create(
        establishment=_school(c), homework=_homework(c), student=c.people["lucas.martin"], submitted_at=CLOCK
    ),
    "messaging.MailboxEntry": _message,
    "privacy.PrivacyRequest": lambda c: _request(c, status=PrivacyRequest.Status.GRANTED, closed_at=CLOCK),
    "timetable.TimetableImport": lambda c: TimetableImport.objects.create(
        establishment=_school(c),
        requested_by=c.people["marc.leroy"],
        file_name="EXP_COURS.xml",
        sha256="0" * 64,
        valid_from=CLOCK.date(),
        outcome=TimetableImport.Outcome.APPLIED,
    ),
    "privacy.Limitation": lambda c: Limitation.objects.create(
        subject=c.people["lea.bernard"], since=CLOCK - dt.timedelta(days=9), lifted_at=CLOCK
    ),
}


def last_day_kept(rule: registry.RetentionRule) -> dt.datetime:
    """The last moment a row whose clock reads CLOCK is still kept under ``rule``."""
    if rule.until == registry.RetentionRule.SCHOOL_YEAR:
        end = dates.school_year(CLOCK.date())[1] + rule.keep
        return timezone.make_aware(dt.datetime.combine(end, dt.time(12)))
    return CLOCK + rule.keep - dt.timedelta(hours=12)


class RetentionRuleTests(PersonaTestCase):
    def test_every_rule_the_job_applies_has_a_time_travel_case(self):
        """A rule registered for ``privacy.apply_retention`` without a row maker here fails."""
        self.assertEqual({p.model._meta.label for p, _ in retention.rules()}, set(MAKERS))

    def test_each_rule_keeps_the_day_before_and_removes_the_day_after(self):
        """Kept the day before its time, gone (or anonymised) the day after, nothing more on a second run."""
        for provider, rule in retention.rules():
            label = provider.model._meta.label
            with self.subTest(rule=label):
                row = MAKERS[label](self)
                manager = provider.model._default_manager
                if "__" not in rule.clock:  # a clock set by the database (auto_now_add) is set back here
                    manager.filter(pk=row.pk).update(**{rule.clock: CLOCK})
                before = last_day_kept(rule)
                retention.apply(before)
                self.assertTrue(manager.filter(pk=row.pk).exists(), "removed before its time")
                after = before + dt.timedelta(days=1)
                retention.apply(after)
                stays = manager.filter(pk=row.pk)
                for name in provider.user_fields:
                    self.assertFalse(stays.filter(**{f"{name}__isnull": False}).exists(), f"{name} still named")
                self.assertEqual(retention.apply(after)[label], 0)
                self.assertTrue(AuditEvent.objects.filter(verb__endswith=".apply_retention").exists())

    def test_a_limited_persons_rows_outlive_their_time(self):
        """Lucas's processing is limited: his absence stays past the year; Léa's goes."""
        lucas, lea = self.people["lucas.martin"], self.people["lea.bernard"]
        Limitation.objects.create(subject=lucas, reason="Contestation en cours")
        kept = MAKERS["attendance.Absence"](self)
        gone = Absence.objects.create(
            establishment=_school(self), student=lea, start=CLOCK, end=CLOCK + dt.timedelta(hours=1), source="staff"
        )
        retention.apply(CLOCK + dt.timedelta(days=400))
        self.assertTrue(Absence.objects.filter(pk=kept.pk).exists())
        self.assertFalse(Absence.objects.filter(pk=gone.pk).exists())

    def test_the_dry_run_counts_without_removing(self):
        """The DPO's dry run says how many rows each rule would remove, and removes none."""
        row = MAKERS["attendance.Absence"](self)
        lines = {line.label: line for line in retention.report(CLOCK + dt.timedelta(days=400))}
        self.assertEqual(lines["attendance.Absence"].rows, 1)
        self.assertIn("année scolaire", lines["attendance.Absence"].rule)
        self.assertTrue(Absence.objects.filter(pk=row.pk).exists())
        self.assertIn("accounts", lines)


class AccountRuleTests(PersonaTestCase):
    def test_the_account_rule_is_the_account_life_cycles_job(self):
        """This job leaves the accounts to ``provisioning.purge_leavers`` (tests/test_provisioning_lifecycle.py):
        Charlie, gone a year ago, is still there after it; the dry run counts him."""
        charlie = self.people["charlie.roux"]
        Membership.objects.filter(person=charlie).update(start_date=dt.date(2025, 9, 1), end_date=dt.date(2026, 7, 1))
        later = timezone.make_aware(dt.datetime.combine(dt.date(2027, 7, 1), dt.time(12)))
        self.assertNotIn("accounts", retention.apply(later))
        self.assertTrue(User.objects.get(pk=charlie.pk).first_name)
        lines = {line.label: line for line in retention.report(later)}
        self.assertEqual(lines["accounts"].rows, 1)
        self.assertEqual(registry.data_provider(User).retention_rule.job, "provisioning.purge_leavers")

    def test_the_rule_is_in_the_register_words(self):
        """The register prints the account rule and each rule from its data."""
        self.assertIn("3 mois", retention.describe(registry.WITH_ACCOUNT, User))
        rule = registry.data_provider(PrivacyRequest).retention_rule
        self.assertEqual(retention.describe(rule, PrivacyRequest), "3 ans après « répondue le ».")
        self.assertEqual(retention.delay(dt.timedelta(days=30)), "30 jours")
        self.assertEqual(retention.delay(dt.timedelta(days=365)), "1 an")

    def test_erase_person_is_refused_while_limited(self):
        """A person whose processing is limited is not erased, by the DPO nor by the account rule."""
        lucas = self.people["lucas.martin"]
        Limitation.objects.create(subject=lucas)
        with self.assertRaises(actions.Limited):
            actions.erase_person(actor=self.actor("admin.region"), person=lucas, reason="test")
        self.assertTrue(User.objects.get(pk=lucas.pk).first_name)


def test_every_rule_the_job_applies_can_act_on_rows():
    """Each model the job purges has an erasure rule that acts on given rows (not a hand-written function)."""
    for provider, _rule in retention.rules():
        assert isinstance(provider.erase, registry.ErasureAction)
        assert isinstance(provider.erase.rule, erasure.RowsRule), provider.model._meta.label
