"""The account life cycle after leaving: three months after a person's last membership ends, the daily job
erases the account and its personal data through the privacy centre (arrêté du 30 novembre 2006, art. 6),
keeps whoever is still entitled somewhere or under limitation, records each run, and finishes the work of a
run that failed or was killed."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cartable.core import registry
from cartable.core.models import AuditEvent
from cartable.directory.models import (
    Enrolment,
    Establishment,
    Group,
    Membership,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    User,
)
from cartable.privacy import actions as privacy_actions
from cartable.privacy.models import Limitation
from cartable.provisioning import actions, queries
from cartable.provisioning.models import ContactDetails, LeaverPurge
from tests.support import aaf
from tests.support.personas import PersonaTestCase

LEFT = dt.date(2026, 11, 30)  # the last day of entitlement; three months later is 28 February (a short month)
DUE = dt.date(2027, 2, 28)
LEAVERS_QUERIES = 7  # session, person, the people due, their count, the limited, the runs, memberships


LONG_AGO_START = dt.date(2020, 9, 1)


def long_ago() -> dt.date:
    """A last day of entitlement whose three months are over, whatever today is."""
    return timezone.localdate() - dt.timedelta(days=200)


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


class PurgeTests(PersonaTestCase):
    def leave(self, username: str, on: dt.date = LEFT) -> User:
        """End every membership of a persona on ``on``; give them contact details the erasure must remove."""
        person = self.people[username]
        Membership.objects.filter(person=person).update(start_date=LONG_AGO_START, end_date=on)
        ContactDetails.objects.update_or_create(person=person, defaults={"city": "Metz", "phone": "0102030405"})
        return person

    def test_an_account_goes_on_the_day_three_months_after_its_last_membership(self):
        """Charlie left on 30 November: kept on 27 February, erased on 28 February (identity, memberships and
        contact details gone), audited with the run; the next run finds nothing."""
        charlie = self.leave("charlie.roux")
        before = actions.purge_leavers(now=noon(DUE - dt.timedelta(days=1)))
        self.assertEqual((before.due, before.erased, before.outcome), (0, 0, LeaverPurge.Outcome.DONE))
        self.assertTrue(User.objects.get(pk=charlie.pk).first_name)
        run = actions.purge_leavers(now=noon(DUE))
        self.assertEqual((run.due, run.erased, run.errors, run.outcome), (1, 1, [], LeaverPurge.Outcome.DONE))
        self.assertEqual(run.cutoff, LEFT)
        charlie.refresh_from_db()
        self.assertEqual((charlie.username, charlie.first_name, charlie.is_active), (f"efface-{charlie.pk}", "", False))
        self.assertFalse(Membership.objects.filter(person=charlie).exists())
        self.assertFalse(ContactDetails.objects.filter(person=charlie).exists())
        erased = AuditEvent.objects.get(verb="privacy.erase_person", subject_id=charlie.pk)
        self.assertIn(f"purge n° {run.pk}", erased.after["reason"])
        summary = AuditEvent.objects.get(verb="provisioning.purge_leavers", target_id=str(run.pk))
        self.assertEqual(summary.after, {"cutoff": LEFT.isoformat(), "erased": 1, "limited": 0, "failed": []})
        again = actions.purge_leavers(now=noon(DUE + dt.timedelta(days=1)))
        self.assertEqual((again.due, again.erased), (0, 0))
        self.assertEqual(AuditEvent.objects.filter(verb="privacy.erase_person").count(), 1)
        self.assertTrue(User.objects.get(pk=self.people["lucas.martin"].pk).first_name)  # the others stay

    def test_a_person_still_entitled_elsewhere_keeps_the_account(self):
        """Zoé left the collège but is enrolled at the lycée (a move within the region): same account, kept."""
        zoe = self.leave("zoe.fontaine")
        Membership.objects.create(
            person=zoe, establishment=self.school.lycee.establishment, role="student", start_date=LEFT
        )
        run = actions.purge_leavers(now=noon(DUE + dt.timedelta(days=30)))
        self.assertEqual(run.erased, 0)
        self.assertEqual(User.objects.get(pk=zoe.pk).username, "zoe.fontaine")

    def test_a_limited_person_is_kept_and_counted_until_the_limitation_is_lifted(self):
        """The privacy centre's rule: nothing of a person whose processing is limited is erased; the run counts
        them; once lifted, the next run erases them."""
        charlie = self.leave("charlie.roux")
        limitation = Limitation.objects.create(subject=charlie, reason="Contestation en cours")
        run = actions.purge_leavers(now=noon(DUE))
        self.assertEqual((run.due, run.erased, run.limited), (0, 0, 1))
        self.assertTrue(User.objects.get(pk=charlie.pk).first_name)
        privacy_actions.lift_limitation(actor=self.actor("admin.region"), limitation=limitation)
        self.assertEqual(actions.purge_leavers(now=noon(DUE)).erased, 1)

    def test_a_failed_erasure_is_rolled_back_and_the_next_run_finishes_the_job(self):
        """One of the data providers fails for Charlie: his erasure is undone whole (he is still there, contact
        details included), Zoé's goes through, the run says so; the next run erases him."""
        charlie, zoe = self.leave("charlie.roux"), self.leave("zoe.fontaine")
        real = actions.erase_personal_data

        def failing(*, user, model, actor=None):
            if user.pk == charlie.pk and model is ContactDetails:
                raise RuntimeError("disque plein")
            return real(user=user, model=model, actor=actor)

        with mock.patch.object(actions, "erase_personal_data", failing):
            run = actions.purge_leavers(now=noon(DUE))
        self.assertEqual((run.due, run.erased, run.outcome), (2, 1, LeaverPurge.Outcome.PARTIAL))
        self.assertEqual(run.errors, [{"person": charlie.pk, "message": "RuntimeError: disque plein"}])
        self.assertEqual(User.objects.get(pk=charlie.pk).username, "charlie.roux")
        self.assertTrue(Membership.objects.filter(person=charlie).exists())
        self.assertTrue(ContactDetails.objects.filter(person=charlie).exists())
        self.assertFalse(AuditEvent.objects.filter(verb="privacy.erase_person", subject_id=charlie.pk).exists())
        self.assertEqual(User.objects.get(pk=zoe.pk).username, f"efface-{zoe.pk}")
        self.assertEqual(actions.purge_leavers(now=noon(DUE)).erased, 1)
        self.assertEqual(User.objects.get(pk=charlie.pk).username, f"efface-{charlie.pk}")

    def test_a_killed_run_leaves_every_account_whole_or_erased_and_the_next_run_finishes(self):
        """The worker dies while erasing the second leaver: the first is erased, the second untouched; the run
        stays « en cours » until the next one marks it interrupted and erases the rest."""
        first, second = sorted([self.leave("charlie.roux"), self.leave("zoe.fontaine")], key=lambda u: u.pk)
        real = actions.erase_personal_data

        def dying(*, user, model, actor=None):
            if user.pk == second.pk:
                raise KeyboardInterrupt  # what a killed process looks like from inside: not an Exception
            return real(user=user, model=model, actor=actor)

        with mock.patch.object(actions, "erase_personal_data", dying), self.assertRaises(KeyboardInterrupt):
            actions.purge_leavers(now=noon(DUE))
        killed = LeaverPurge.objects.get()
        self.assertEqual((killed.outcome, killed.erased), (LeaverPurge.Outcome.RUNNING, 1))
        self.assertEqual(User.objects.get(pk=first.pk).username, f"efface-{first.pk}")
        self.assertEqual(User.objects.get(pk=second.pk).username, second.username)
        self.assertTrue(ContactDetails.objects.filter(person=second).exists())
        run = actions.purge_leavers(now=noon(DUE))
        self.assertEqual((run.erased, run.outcome), (1, LeaverPurge.Outcome.DONE))
        killed.refresh_from_db()
        self.assertEqual(killed.outcome, LeaverPurge.Outcome.STOPPED)
        self.assertEqual(User.objects.get(pk=second.pk).username, f"efface-{second.pk}")

    def test_the_daily_job_is_scheduled(self):
        job = next(j for j in registry.periodic_jobs() if j.key == "provisioning.purge_leavers")
        self.assertEqual(job.every, dt.timedelta(hours=24))
        self.leave("charlie.roux", on=long_ago())
        self.assertEqual(job.task.call(), 1)


class DryRunTests(PersonaTestCase):
    def test_the_command_lists_without_erasing_then_purges(self):
        charlie = self.people["charlie.roux"]
        Membership.objects.filter(person=charlie).update(start_date=LONG_AGO_START, end_date=long_ago())
        out = io.StringIO()
        call_command("purge_leavers", "--dry-run", stdout=out)
        self.assertIn("charlie.roux", out.getvalue())
        self.assertIn("comptes à effacer : 1", out.getvalue())
        self.assertEqual(User.objects.get(pk=charlie.pk).username, "charlie.roux")
        out = io.StringIO()
        call_command("purge_leavers", stdout=out)
        self.assertIn("comptes effacés 1", out.getvalue())
        self.assertFalse(LeaverPurge.objects.filter(outcome=LeaverPurge.Outcome.RUNNING).exists())

    def test_the_regional_admin_reads_who_would_go_and_the_page_costs_the_same_with_more(self):
        """admin.region's « Départs à effacer » page lists the accounts due and the latest runs, in the same
        number of queries with one leaver or four; nobody else reaches it."""
        url = reverse("provisioning:leavers")
        for username in ("julie.moreau", "lucas.martin", "charlie.roux"):
            with self.subTest(username):
                self.login(username)
                self.assertEqual(self.client.get(url).status_code, 404)
        Membership.objects.filter(person=self.people["charlie.roux"]).update(
            start_date=LONG_AGO_START, end_date=long_ago()
        )
        actions.purge_leavers()
        self.login("admin.region")
        self.assertContains(self.client.get(reverse("provisioning:index")), url)
        self.client.get(url)
        for leavers in (["paul.dupont"], ["nadia.petit", "zoe.fontaine", "lea.bernard"]):
            Membership.objects.filter(person__username__in=leavers).update(
                start_date=LONG_AGO_START, end_date=long_ago()
            )
            with self.subTest(leavers=leavers), self.assertNumQueries(LEAVERS_QUERIES):
                page = self.client.get(url)
            for username in leavers:
                self.assertContains(page, username)
        self.assertContains(page, "4 comptes à effacer aujourd'hui.")
        self.assertContains(page, "Terminée")


class RolloverTests(PersonaTestCase):
    """The regional administrator opens the next school year; the next import feeds it."""

    def setUp(self):
        aaf.run_files(aaf.complete_set())
        self.college = Establishment.objects.get(uai=aaf.COLLEGE[1])
        self.this_year = SchoolYear.objects.get(establishment=self.college)

    def rows_of(self, person: User, year: SchoolYear):
        return (
            Enrolment.objects.filter(student=person, school_class__school_year=year),
            TeachingAssignment.objects.filter(teacher=person, school_class__school_year=year),
        )

    def test_open_the_next_year_then_import_it(self):
        """The page opens the next year everywhere (once); last year's enrolments and teaching end on its last
        day; the next year's set creates its classes and groups, its rows starting on its first day (Hugo's
        2nde 1 is a new class of the same name); last year's classes stay; a second import changes nothing."""
        label, start, end = queries.next_school_year()
        self.login("admin.region")
        index = reverse("provisioning:index")
        self.assertContains(self.client.get(index), f"Ouvrir l'année {label}")
        response = self.client.post(reverse("provisioning:open_school_year"), follow=True)
        self.assertContains(response, f"L&#x27;année scolaire {label} est ouverte")
        self.assertContains(response, "L'année scolaire suivante est ouverte : les imports l'alimentent.")
        self.assertEqual(
            SchoolYear.objects.filter(label=label, start_date=start, end_date=end).count(),
            Establishment.objects.count(),
        )
        again = self.client.post(reverse("provisioning:open_school_year"), follow=True)
        self.assertContains(again, "L&#x27;année scolaire suivante est déjà ouverte.")
        self.assertEqual(SchoolYear.objects.filter(label=label).count(), Establishment.objects.count())
        self.assertTrue(
            AuditEvent.objects.filter(verb="provisioning.open_school_year", target_id=str(self.this_year.pk))
        )
        chloe, hugo, paul = aaf.fed_person("E1"), aaf.fed_person("E2"), aaf.fed_person("T1")
        enrolments, teaching = self.rows_of(chloe, self.this_year)
        self.assertEqual(set(enrolments.values_list("end_date", flat=True)), {self.this_year.end_date})
        _e, teaching = self.rows_of(paul, self.this_year)
        self.assertEqual(set(teaching.values_list("end_date", flat=True)), {self.this_year.end_date})

        run, _plan = aaf.run_files(aaf.next_year_set())
        self.assertEqual(run.outcome, "applied", run.errors)
        next_year = SchoolYear.objects.get(establishment=self.college, label=label)
        four_a = SchoolClass.objects.get(establishment=self.college, name="4e A")
        self.assertEqual(four_a.school_year, next_year)
        self.assertEqual(four_a.head_teacher, paul)
        self.assertTrue(Group.objects.filter(name="Latin 4e", school_year=next_year).exists())
        new = Enrolment.objects.get(student=chloe, school_class=four_a)
        self.assertEqual((new.start_date, new.end_date), (max(start, timezone.localdate()), None))
        self.assertTrue(TeachingAssignment.objects.filter(teacher=paul, school_class=four_a, end_date=None).exists())
        seconde = SchoolClass.objects.filter(name="2nde 1").order_by("school_year__start_date")
        self.assertEqual(len(seconde), 2)
        old, repeated = (Enrolment.objects.get(student=hugo, school_class=c) for c in seconde)
        self.assertEqual((old.end_date, repeated.end_date), (old.school_class.school_year.end_date, None))
        five_a = SchoolClass.objects.get(establishment=self.college, name="5e A")  # last year's class stays
        self.assertEqual(five_a.school_year, self.this_year)
        self.assertTrue(Enrolment.objects.filter(student=chloe, school_class=five_a).exists())
        rerun, _plan = aaf.run_files(aaf.next_year_set())
        self.assertEqual((rerun.count("created"), rerun.count("changed"), rerun.count("ended")), (0, 0, 0))

    def test_an_import_into_a_year_opened_by_hand_closes_last_years_rows_on_its_last_day(self):
        """Without the rollover (a year made in the admin), the import itself ends last year's rows of its people
        on that year's last day, not on the day of the import."""
        _label, start, end = queries.next_school_year()
        SchoolYear.objects.create(establishment=self.college, label=_label, start_date=start, end_date=end)
        chloe = aaf.fed_person("E1")
        run, _plan = aaf.run_files(aaf.next_year_set())
        self.assertEqual(run.outcome, "applied", run.errors)
        enrolments, _t = self.rows_of(chloe, self.this_year)
        self.assertEqual(set(enrolments.values_list("end_date", flat=True)), {self.this_year.end_date})
        self.assertTrue(Enrolment.objects.filter(student=chloe, school_class__name="4e A", end_date=None).exists())

    def test_the_command_opens_the_year(self):
        label = queries.next_school_year()[0]
        out = io.StringIO()
        call_command("open_school_year", stdout=out)
        self.assertIn(f"année {label} ouverte", out.getvalue())
        self.assertTrue(SchoolYear.objects.filter(establishment=self.college, label=label).exists())
