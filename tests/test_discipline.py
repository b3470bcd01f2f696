"""Discipline: who sees incidents, punishments and sanctions; the rules of punishments; the sanction procedure's
order; notifications; staff reads audited; the pages' query budgets; the summary for report cards."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.core.authz import Action
from cartable.core.models import AuditEvent, Delivery, Notification
from cartable.directory.models import Enrolment
from cartable.discipline import actions, rules
from cartable.discipline.models import Incident, Involvement, Punishment, Sanction
from cartable.discipline.queries import student_discipline_summary
from tests.support.personas import PersonaTestCase

PARIS = ZoneInfo("Europe/Paris")
EVERYONE = [
    "lucas.martin",
    "lea.bernard",
    "claire.martin",
    "thomas.girard",
    "paul.dupont",
    "sophie.bernard",
    "nadia.petit",
    "marc.leroy",
    "julie.moreau",
    "admin.region",
    "charlie.roux",
]


class DisciplineTestCase(PersonaTestCase):
    """Helpers: an incident, a punishment and a sanction about lucas.martin, through the actions."""

    def incident(self, reporter="paul.dupont", **kw) -> Incident:
        people = kw.pop(
            "people",
            [
                (self.people["lucas.martin"].pk, Involvement.Role.AUTHOR),
                (self.people["lea.bernard"].pk, Involvement.Role.WITNESS),
            ],
        )
        return actions.report_incident(
            actor=self.actor(reporter),
            establishment_id=self.school.college.establishment.pk,
            occurred_at=timezone.now() - dt.timedelta(hours=2),
            place="Cour",
            facts="Bousculade dans la cour.",
            people=people,
        )

    def punishment(self, giver="paul.dupont", student="lucas.martin", **kw) -> Punishment:
        kw.setdefault("kind", Punishment.Kind.EXTRA_WORK)
        kw.setdefault("reason", "Travail non fait.")
        return actions.give_punishment(actor=self.actor(giver), student=self.people[student], **kw)

    def sanction(self, authority=Sanction.Authority.PRINCIPAL, today=None) -> Sanction:
        return actions.open_sanction(
            actor=self.actor("marc.leroy"),
            student=self.people["lucas.martin"],
            authority=authority,
            facts="Violence envers un camarade.",
            today=today,
        )

    def decided(self, kind, days=None, on=None) -> Sanction:
        """A sanction about lucas decided on ``on`` (today by default), its defence heard the same day."""
        on = on or timezone.localdate()
        marc = self.actor("marc.leroy")
        sanction = self.sanction(today=on)
        actions.inform_family(actor=marc, sanction=sanction, today=on)
        actions.record_defence(actor=marc, sanction=sanction, today=on)
        return actions.decide_sanction(actor=marc, sanction=sanction, kind=kind, days=days, today=on)

    def assert_matrix(self, model, obj, expected: dict, action=Action.VIEW):
        for username in EVERYONE:
            actor = self.actor(username)
            with self.subTest(who=username):
                allowed = obj.__class__.objects.filter(pk=obj.pk).visible_to(actor).exists()
                from cartable.core import authz

                self.assertIs(authz.allows(actor, action, obj), expected.get(username, False))
                if action == Action.VIEW:
                    self.assertIs(allowed, expected.get(username, False), "scope and allows disagree")


class PolicyTests(DisciplineTestCase):
    def test_who_sees_a_punishment(self):
        """Lucas, his mother, who gave it, his other teacher, the CPE and the principal; nobody else."""
        punishment = self.punishment()
        self.assert_matrix(
            Punishment,
            punishment,
            {
                "lucas.martin": True,
                "claire.martin": True,
                "paul.dupont": True,
                "sophie.bernard": True,
                "nadia.petit": True,
                "marc.leroy": True,
            },
        )

    def test_who_follows_up_a_punishment(self):
        """Who gave it, the CPE and the principal record its follow-up; other teachers and families do not."""
        punishment = self.punishment()
        self.assert_matrix(
            Punishment,
            punishment,
            {"paul.dupont": True, "nadia.petit": True, "marc.leroy": True},
            action=Action.CHANGE,
        )

    def test_who_sees_an_incident(self):
        """Its reporter, the CPE and the principal; families and other teachers never see an incident."""
        incident = self.incident()
        self.assert_matrix(Incident, incident, {"paul.dupont": True, "nadia.petit": True, "marc.leroy": True})

    def test_witness_names_are_staff_only(self):
        """A family sees its child's own involvement, never a witness row; staff who see the incident see all."""
        incident = self.incident()
        lucas_row = incident.involvements.get(role=Involvement.Role.AUTHOR)
        witness_row = incident.involvements.get(role=Involvement.Role.WITNESS)
        for who, row, expected in [
            ("claire.martin", lucas_row, True),
            ("lucas.martin", lucas_row, True),
            ("claire.martin", witness_row, False),
            ("lea.bernard", witness_row, False),
            ("sophie.bernard", witness_row, False),  # lea's mother, and not the reporter
            ("paul.dupont", witness_row, True),
            ("nadia.petit", witness_row, True),
            ("charlie.roux", lucas_row, False),
        ]:
            with self.subTest(who=who, role=row.role):
                actor = self.actor(who)
                self.assertIs(Involvement.objects.filter(pk=row.pk).visible_to(actor).exists(), expected)
                from cartable.core import authz

                self.assertIs(authz.allows(actor, Action.VIEW, row), expected)

    def test_who_sees_a_sanction_before_and_after_the_family_is_informed(self):
        """The CPE and the principal from the start; the student and the family once informed; no teacher."""
        sanction = self.sanction()
        self.assert_matrix(Sanction, sanction, {"nadia.petit": True, "marc.leroy": True})
        actions.inform_family(actor=self.actor("marc.leroy"), sanction=sanction)
        sanction.refresh_from_db()
        self.assert_matrix(
            Sanction,
            sanction,
            {"nadia.petit": True, "marc.leroy": True, "lucas.martin": True, "claire.martin": True},
        )

    def test_only_the_principal_runs_a_sanction_procedure(self):
        """The direction opens and runs procedures; the CPE, teachers and the ENT administrator do not."""
        sanction = self.sanction()
        self.assert_matrix(Sanction, sanction, {"marc.leroy": True}, action=Action.CHANGE)
        for who in ("nadia.petit", "paul.dupont", "julie.moreau", "charlie.roux"):
            with self.subTest(who=who), self.assertRaises(PermissionDenied):
                actions.open_sanction(
                    actor=self.actor(who), student=self.people["lucas.martin"], authority="principal", facts="x"
                )


class PunishmentTests(DisciplineTestCase):
    def test_an_exclusion_from_class_needs_its_written_report(self):
        """Without a report the exclusion is refused; with it, the CPE and the principal get the report."""
        with self.assertRaises(actions.DisciplineError):
            self.punishment(kind=Punishment.Kind.CLASS_EXCLUSION, report="  ")
        self.assertFalse(Punishment.objects.exists())
        punishment = self.punishment(kind=Punishment.Kind.CLASS_EXCLUSION, report="Refus de travailler, insolence.")
        notices = Notification.objects.filter(kind="discipline.class_exclusion")
        self.assertEqual(set(notices.values_list("recipient__username", flat=True)), {"nadia.petit", "marc.leroy"})
        self.assertEqual(notices.first().body, punishment.report)
        self.assertEqual(Delivery.objects.filter(notification__in=notices, channel="email").count(), 2)

    def test_the_family_is_notified_of_a_punishment_about_the_child(self):
        """claire.martin gets an in-app and e-mail notice about Lucas; the action is audited."""
        punishment = self.punishment(
            kind=Punishment.Kind.DETENTION, detention_at=timezone.now(), detention_place="Étude"
        )
        notice = Notification.objects.get(kind="discipline.punishment")
        self.assertEqual(notice.recipient, self.people["claire.martin"])
        self.assertEqual(notice.about_id, self.people["lucas.martin"].pk)
        self.assertIn("Étude", notice.body)
        self.assertTrue(Delivery.objects.filter(notification=notice, channel="email").exists())
        row = AuditEvent.objects.get(verb="discipline.give_punishment")
        self.assertEqual((row.target_id, row.subject_id), (str(punishment.pk), self.people["lucas.martin"].pk))

    def test_a_detention_needs_its_date(self):
        """A retenue without a date and time is refused."""
        with self.assertRaises(actions.DisciplineError):
            self.punishment(kind=Punishment.Kind.DETENTION)

    def test_nobody_punishes_a_student_of_another_establishment(self):
        """charlie.roux cannot punish Lucas; paul.dupont cannot punish a student of Jules Ferry; families and
        the ENT administrator punish nobody."""
        with self.assertRaises(actions.DisciplineError):
            self.punishment(giver="charlie.roux")
        with self.assertRaises(actions.DisciplineError):
            self.punishment(student="hugo.lambert")
        for who in ("claire.martin", "lucas.martin", "julie.moreau"):
            with self.subTest(who=who), self.assertRaises(PermissionDenied):
                self.punishment(giver=who, student="lea.bernard")

    def test_follow_up_records_when_it_was_done(self):
        """The CPE marks the punishment done; a date in the future is refused."""
        punishment = self.punishment()
        nadia = self.actor("nadia.petit")
        with self.assertRaises(actions.DisciplineError):
            actions.follow_up_punishment(
                actor=nadia, punishment=punishment, done_on=timezone.localdate() + dt.timedelta(days=1)
            )
        actions.follow_up_punishment(actor=nadia, punishment=punishment, done_on=timezone.localdate(), note="Rendu.")
        punishment.refresh_from_db()
        self.assertTrue(punishment.is_done)
        self.assertTrue(AuditEvent.objects.filter(verb="discipline.follow_up_punishment").exists())

    def test_an_incident_accepts_only_people_of_the_establishment(self):
        """Hugo, at another collège, cannot be named in an incident of the collège."""
        with self.assertRaises(actions.DisciplineError):
            self.incident(people=[(self.people["hugo.lambert"].pk, Involvement.Role.AUTHOR)])
        incident = self.incident(people=[(self.people["nadia.petit"].pk, Involvement.Role.WITNESS)])
        self.assertEqual(incident.involvements.count(), 1)


class ProcedureTests(DisciplineTestCase):
    def test_the_defence_time_is_two_working_days_for_the_principal_and_eight_days_for_the_council(self):
        """Informed on a Friday: the principal's deadline skips Sunday; a public holiday does not count."""
        friday = dt.date(2026, 11, 27)
        self.assertEqual(rules.defence_deadline("principal", friday), dt.date(2026, 11, 30))
        self.assertEqual(rules.defence_deadline("council", friday), dt.date(2026, 12, 5))
        self.assertEqual(rules.defence_deadline("principal", dt.date(2026, 11, 10)), dt.date(2026, 11, 13))

    def test_no_decision_before_the_defence_deadline_or_the_defence(self):
        """Deciding is refused before informing, and before the deadline passed unless the defence was heard."""
        marc = self.actor("marc.leroy")
        # The Monday of late November in the persona school's year (a week without a public holiday).
        year = self.school.college.year.start_date.year
        monday = dt.date(year, 11, 25) - dt.timedelta(days=dt.date(year, 11, 25).weekday())
        wednesday, thursday = monday + dt.timedelta(days=2), monday + dt.timedelta(days=3)
        sanction = self.sanction(today=monday)
        with self.assertRaises(actions.DisciplineError):
            actions.decide_sanction(actor=marc, sanction=sanction, kind="warning", today=monday)
        sanction = actions.inform_family(actor=marc, sanction=sanction, today=monday)
        self.assertEqual(sanction.defence_deadline, wednesday)
        with self.assertRaises(actions.DisciplineError):
            actions.decide_sanction(actor=marc, sanction=sanction, kind="warning", today=wednesday)
        decided = actions.decide_sanction(actor=marc, sanction=sanction, kind="warning", today=thursday)
        self.assertEqual(decided.decided_on, thursday)
        with self.assertRaises(actions.DisciplineError):
            actions.record_defence(actor=marc, sanction=decided, today=thursday)

    def test_the_defence_heard_allows_an_early_decision(self):
        """Once the defence is heard, the decision may follow the same day."""
        sanction = self.decided(Sanction.Kind.REPRIMAND)
        self.assertEqual(sanction.step, Sanction.Step.DECIDED)

    def test_the_scale_and_its_limits(self):
        """Exclusions last 1 to 8 days; only the council excludes for good; no sursis on a warning."""
        marc = self.actor("marc.leroy")
        for kind, days, suspension, suspended in [
            (Sanction.Kind.SCHOOL_EXCLUSION, 9, "none", None),
            (Sanction.Kind.CLASS_EXCLUSION, None, "none", None),
            (Sanction.Kind.PERMANENT_EXCLUSION, None, "none", None),
            (Sanction.Kind.WARNING, None, "full", None),
            (Sanction.Kind.SCHOOL_EXCLUSION, 3, "partial", 3),
        ]:
            with self.subTest(kind=kind, days=days, suspension=suspension):
                sanction = self.sanction()
                actions.inform_family(actor=marc, sanction=sanction)
                actions.record_defence(actor=marc, sanction=sanction)
                with self.assertRaises(actions.DisciplineError):
                    actions.decide_sanction(
                        actor=marc,
                        sanction=sanction,
                        kind=kind,
                        days=days,
                        suspension=suspension,
                        suspended_days=suspended,
                    )
        sanction = self.decided(Sanction.Kind.SCHOOL_EXCLUSION, days=3)
        self.assertEqual(
            actions.describe(sanction), "Exclusion temporaire de l'établissement ou d'un service annexe (3 jours)"
        )

    def test_each_step_notifies_the_family_about_the_child(self):
        """Informed, defence heard, decided, notified: four notices to claire.martin about Lucas, each audited."""
        sanction = self.decided(Sanction.Kind.WARNING)
        actions.notify_decision(actor=self.actor("marc.leroy"), sanction=sanction)
        notices = Notification.objects.filter(kind="discipline.sanction_step").order_by("id")
        self.assertEqual(notices.count(), 4)
        self.assertEqual({n.recipient.username for n in notices}, {"claire.martin"})
        self.assertEqual({n.about_id for n in notices}, {self.people["lucas.martin"].pk})
        verbs = list(AuditEvent.objects.filter(verb__startswith="discipline.sanction.").values_list("verb", flat=True))
        self.assertEqual(
            sorted(verbs),
            sorted(f"discipline.sanction.{s}" for s in ("opened", "informed", "defence", "decided", "notified")),
        )
        self.assertFalse(
            AuditEvent.objects.filter(verb__startswith="discipline.sanction.", after__icontains="Violence").exists()
        )


class ErasureTests(DisciplineTestCase):
    def test_a_warning_leaves_the_file_when_the_school_year_ends(self):
        """Decided during the year, a warning stays until the year's last day and is gone the day after."""
        year_end = self.school.college.year.end_date
        warning = self.decided(Sanction.Kind.WARNING)
        self.assertEqual(actions.erase_expired_sanctions(today=year_end), 0)
        self.assertEqual(actions.erase_expired_sanctions(today=year_end + dt.timedelta(days=1)), 1)
        self.assertFalse(Sanction.objects.filter(pk=warning.pk).exists())

    def test_a_temporary_exclusion_leaves_the_file_one_year_after_the_decision(self):
        """The anniversary of the decision erases it; the day before, it stays; incidents and punishments stay."""
        incident = self.incident()
        punishment = self.punishment(incident=incident)
        on = timezone.localdate()
        exclusion = self.decided(Sanction.Kind.CLASS_EXCLUSION, days=2, on=on)
        anniversary = on.replace(year=on.year + 1)
        self.assertEqual(actions.erase_expired_sanctions(today=anniversary - dt.timedelta(days=1)), 0)
        self.assertEqual(actions.erase_expired_sanctions(today=anniversary), 1)
        self.assertFalse(Sanction.objects.filter(pk=exclusion.pk).exists())
        self.assertTrue(Incident.objects.filter(pk=incident.pk, facts="Bousculade dans la cour.").exists())
        self.assertTrue(Punishment.objects.filter(pk=punishment.pk).exists())

    def test_the_erasure_is_audited_without_the_erased_content(self):
        """One audit row per erased sanction, naming the rule, never the facts or the kind."""
        sanction = self.decided(Sanction.Kind.WARNING)
        actions.erase_expired_sanctions(today=self.school.college.year.end_date + dt.timedelta(days=1))
        row = AuditEvent.objects.get(verb="discipline.erase_sanction")
        self.assertEqual((row.target_id, row.subject_id), (str(sanction.pk), self.people["lucas.martin"].pk))
        self.assertEqual(row.after["rule"], "end_of_school_year")
        self.assertNotIn("Violence", str(row.after))
        self.assertNotIn("warning", str(row.after))

    def test_every_sanction_leaves_the_file_when_schooling_ends(self):
        """A permanent exclusion stays while the student is enrolled; once schooling ended, it goes."""
        marc = self.actor("marc.leroy")
        sanction = self.sanction(authority=Sanction.Authority.COUNCIL)
        actions.inform_family(actor=marc, sanction=sanction)
        actions.record_defence(actor=marc, sanction=sanction)
        actions.decide_sanction(actor=marc, sanction=sanction, kind=Sanction.Kind.PERMANENT_EXCLUSION)
        far = timezone.localdate() + dt.timedelta(days=3 * 365)
        Enrolment.objects.filter(student=self.people["lucas.martin"]).update(end_date=None)
        self.assertEqual(actions.erase_expired_sanctions(today=far), 0)
        left = timezone.localdate() + dt.timedelta(days=30)
        Enrolment.objects.filter(student=self.people["lucas.martin"]).update(end_date=left)
        self.assertEqual(actions.erase_expired_sanctions(today=left + dt.timedelta(days=60)), 0, "summer holidays")
        self.assertEqual(
            actions.erase_expired_sanctions(today=left + rules.SCHOOLING_ENDS_AFTER + dt.timedelta(days=1)), 1
        )

    def test_the_daily_task_erases_with_the_clock_moved_forward(self):
        """The periodic task, run with the clock patched past the year's end, erases the warning only."""
        from unittest import mock

        from cartable.core import registry
        from cartable.discipline.tasks import erase_expired_sanctions

        job = next(j for j in registry.periodic_jobs() if j.key == "discipline.erase_expired_sanctions")
        self.assertEqual(job.every, dt.timedelta(days=1))
        warning = self.decided(Sanction.Kind.WARNING)
        exclusion = self.decided(Sanction.Kind.SCHOOL_EXCLUSION, days=3)
        later = dt.datetime.combine(self.school.college.year.end_date + dt.timedelta(days=2), dt.time(3), tzinfo=PARIS)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(erase_expired_sanctions.call(), 1)
        self.assertFalse(Sanction.objects.filter(pk=warning.pk).exists())
        self.assertTrue(Sanction.objects.filter(pk=exclusion.pk).exists())


class PageTests(DisciplineTestCase):
    def test_a_teacher_records_an_exclusion_without_report_and_sees_the_form_again(self):
        """The form answers 400 with the French message and keeps what was typed."""
        self.login("paul.dupont")
        response = self.client.post(
            reverse("discipline:punishment_create"),
            {"student": self.people["lucas.martin"].pk, "kind": "class_exclusion", "reason": "Insolence répétée"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "exige un rapport écrit", status_code=400)
        self.assertContains(response, "Insolence répétée", status_code=400)
        self.assertFalse(Punishment.objects.exists())

    def test_a_teacher_records_an_exclusion_with_its_report(self):
        """With the report, the punishment is saved and the teacher lands on it."""
        self.login("paul.dupont")
        response = self.client.post(
            reverse("discipline:punishment_create"),
            {
                "student": self.people["lucas.martin"].pk,
                "kind": "class_exclusion",
                "reason": "Insolence",
                "report": "Lucas a refusé de travailler.",
            },
        )
        punishment = Punishment.objects.get()
        self.assertRedirects(response, reverse("discipline:punishment", args=[punishment.pk]))

    def test_staff_reads_of_a_punishment_are_audited_and_family_reads_are_not(self):
        """The CPE's visit is in the trail; claire.martin's is not; charlie gets a 404."""
        punishment = self.punishment()
        url = reverse("discipline:punishment", args=[punishment.pk])
        for who, status, recorded in [
            ("nadia.petit", 200, True),
            ("claire.martin", 200, False),
            ("charlie.roux", 404, False),
        ]:
            with self.subTest(who=who):
                AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).delete()
                self.login(who)
                self.assertEqual(self.client.get(url).status_code, status)
                self.assertIs(
                    AuditEvent.objects.filter(kind=AuditEvent.Kind.READ, verb="discipline.view_punishment").exists(),
                    recorded,
                )

    def test_a_family_sees_the_facts_without_other_students_names(self):
        """The punishment page shows the incident's facts to claire.martin, never the witness's name."""
        incident = self.incident()
        punishment = self.punishment(incident=incident)
        self.login("claire.martin")
        response = self.client.get(reverse("discipline:punishment", args=[punishment.pk]))
        self.assertContains(response, "Bousculade dans la cour.")
        self.assertNotContains(response, "Léa")
        self.assertEqual(self.client.get(reverse("discipline:incident", args=[incident.pk])).status_code, 404)

    def test_the_principal_runs_the_procedure_through_the_page(self):
        """Inform, hear the defence, decide, notify: each step posted on the sanction page."""
        sanction = self.sanction()
        url = reverse("discipline:sanction", args=[sanction.pk])
        self.login("marc.leroy")
        today = timezone.localdate().isoformat()
        self.client.post(url, {"step": "opened", "opened-on": today})
        self.client.post(url, {"step": "defence", "defence-on": today, "defence-summary": "Excuses."})
        response = self.client.post(
            url, {"step": "decide", "decide-on": today, "decide-kind": "warning", "decide-suspension": "none"}
        )
        self.assertRedirects(response, url)
        self.client.post(url, {"step": "decided", "decided-on": today})
        sanction.refresh_from_db()
        self.assertEqual(sanction.step, Sanction.Step.NOTIFIED)
        self.assertEqual(self.client.post(url, {"step": "decided", "decided-on": today}).status_code, 404)

    def test_the_pages_cost_a_pinned_number_of_queries_whatever_the_rows(self):
        """The list, a punishment, a sanction, an incident and a student's file cost the same with more rows."""
        incident = self.incident()
        punishment = self.punishment(incident=incident)
        sanction = self.decided(Sanction.Kind.WARNING)
        lucas = self.people["lucas.martin"].pk
        pages = [
            ("nadia.petit", reverse("discipline:home")),
            ("claire.martin", reverse("discipline:home")),
            ("paul.dupont", reverse("discipline:home")),
            ("nadia.petit", reverse("discipline:punishment", args=[punishment.pk])),
            ("marc.leroy", reverse("discipline:sanction", args=[sanction.pk])),
            ("nadia.petit", reverse("discipline:incident", args=[incident.pk])),
            ("nadia.petit", reverse("discipline:student", args=[lucas])),
            ("paul.dupont", reverse("discipline:punishment_create")),
        ]
        counts = {}
        for who, url in pages:
            self.login(who)
            self.client.get(url)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200, url)
            counts[(who, url)] = len(queries)
        for _ in range(3):
            more = self.incident()
            self.punishment(incident=more, giver="sophie.bernard")
            self.punishment(student="lea.bernard", giver="nadia.petit")
            self.decided(Sanction.Kind.REPRIMAND)
        for who, url in pages:
            with self.subTest(who=who, url=url):
                self.login(who)
                self.client.get(url)
                with self.assertNumQueries(counts[(who, url)]):
                    self.client.get(url)
        self.assertEqual(list(counts.values()), PAGE_QUERIES)


# The pages' queries once signed in: the session, the person, their memberships (3), then the page's own.
# The CPE's list: incidents, punishments, sanctions. claire.martin's: her children and where they are enrolled,
# Lucas's punishments and sanctions. paul.dupont's: incidents, what he teaches, punishments (no sanctions).
# A punishment or a sanction: the row, and the audit row of the staff read. An incident: the row, its people,
# its punishments. A student's file: the person, the User policy's check, punishments, sanctions, the audit
# row. The punishment form: the students of the establishment and the recent incidents.
PAGE_QUERIES = [6, 7, 6, 5, 5, 6, 8, 5]


class SummaryTests(DisciplineTestCase):
    def test_the_summary_counts_punishments_and_sanctions_in_two_queries(self):
        """Per student, in the period; students without any are in the answer with zeros."""
        self.punishment()
        self.punishment(giver="nadia.petit")
        self.decided(Sanction.Kind.WARNING)
        lucas, lea = self.people["lucas.martin"].pk, self.people["lea.bernard"].pk
        today = timezone.localdate()
        with self.assertNumQueries(2):
            summary = student_discipline_summary(student_ids=[lucas, lea], start=today, end=today)
        self.assertEqual(summary, {lucas: {"punishments": 2, "sanctions": 1}, lea: {"punishments": 0, "sanctions": 0}})
        tomorrow = today + dt.timedelta(days=1)
        self.assertEqual(
            student_discipline_summary(student_ids=[lucas], start=tomorrow, end=tomorrow)[lucas]["punishments"], 0
        )


class DashboardTests(DisciplineTestCase):
    def test_families_see_recent_punishments_and_the_cpe_what_to_follow(self):
        """claire.martin's dashboard lists Lucas's punishment; nadia.petit's the punishment to follow and the
        procedure with its next step; paul.dupont has neither widget."""
        self.punishment()
        self.sanction()
        for who, expected, absent in [
            ("claire.martin", ["Punitions récentes", "Devoir supplémentaire"], ["Procédures disciplinaires"]),
            ("nadia.petit", ["Punitions à suivre", "Procédures disciplinaires", "Informer la famille"], []),
            ("paul.dupont", [], ["Punitions à suivre", "Punitions récentes"]),
        ]:
            with self.subTest(who=who):
                self.login(who)
                response = self.client.get(reverse("dashboard:home"))
                for text in expected:
                    self.assertContains(response, text)
                for text in absent:
                    self.assertNotContains(response, text)


class IncidentPageTests(DisciplineTestCase):
    def test_a_teacher_reports_an_incident_with_its_people(self):
        """paul.dupont reports an incident naming Lucas as author and Léa as witness; a bad form says why."""
        self.login("paul.dupont")
        url = reverse("discipline:incident_create")
        today = timezone.localdate().isoformat()
        response = self.client.post(url, {"date": today, "time": "00:01", "place": "Cour", "facts": "Bousculade."})
        self.assertContains(response, "Choisissez au moins un élève concerné.", status_code=400)
        self.assertContains(response, "Bousculade.", status_code=400)
        response = self.client.post(
            url,
            {
                "date": today,
                "time": "00:01",
                "place": "Cour",
                "facts": "Bousculade.",
                "authors": [self.people["lucas.martin"].pk],
                "witnesses": [self.people["lea.bernard"].pk],
            },
        )
        incident = Incident.objects.get()
        self.assertRedirects(response, reverse("discipline:incident", args=[incident.pk]))
        self.assertEqual(
            sorted(incident.involvements.values_list("role", flat=True)),
            [Involvement.Role.AUTHOR, Involvement.Role.WITNESS],
        )
        page = self.client.get(reverse("discipline:incident", args=[incident.pk]))
        self.assertContains(page, "Léa Bernard")

    def test_families_and_the_ent_administrator_cannot_report_or_punish(self):
        """The forms answer 404 to a parent, a student and the ENT administrator."""
        for who in ("claire.martin", "lucas.martin", "julie.moreau"):
            self.login(who)
            for name in ("discipline:incident_create", "discipline:punishment_create", "discipline:sanction_create"):
                with self.subTest(who=who, page=name):
                    self.assertEqual(self.client.get(reverse(name)).status_code, 404)


class DemoTests(PersonaTestCase):
    def test_the_demo_gives_every_persona_something_to_see(self):
        """Lucas's punishment for claire.martin, a completed sanction for marc.leroy, incidents for the CPE;
        loading twice adds nothing."""
        import time

        from cartable.discipline.demo import load_demo

        start = time.perf_counter()
        load_demo(self.school)
        self.assertLess(time.perf_counter() - start, 2)
        load_demo(self.school)
        claire, marc, nadia = self.actor("claire.martin"), self.actor("marc.leroy"), self.actor("nadia.petit")
        self.assertTrue(Punishment.objects.visible_to(claire).filter(student=self.people["lucas.martin"]).exists())
        self.assertTrue(Sanction.objects.visible_to(marc).filter(notified_on__isnull=False).exists())
        self.assertEqual(Incident.objects.visible_to(nadia).count(), 3)
        self.assertTrue(Punishment.objects.visible_to(self.actor("paul.dupont")).exists())
        self.assertFalse(Punishment.objects.visible_to(self.actor("charlie.roux")).exists())


class FilterTests(DisciplineTestCase):
    def test_the_filter_swaps_the_punishments_not_done_yet(self):
        """htmx asks for the list fragment only: the punishments not done yet, in 4 queries."""
        done = self.punishment(reason="Déjà faite.")
        actions.follow_up_punishment(actor=self.actor("nadia.petit"), punishment=done, done_on=timezone.localdate())
        self.punishment(reason="Encore à faire.")
        self.login("nadia.petit")
        url = reverse("discipline:home") + "?a_suivre=1"
        self.client.get(url, headers={"HX-Request": "true"})
        with self.assertNumQueries(4):
            response = self.client.get(url, headers={"HX-Request": "true"})
        self.assertContains(response, "Encore à faire.")
        self.assertNotContains(response, "Déjà faite.")
        self.assertNotContains(response, "<h1>")
        self.assertContains(self.client.get(reverse("discipline:home")), "Déjà faite.")


class FileAndSwitchTests(DisciplineTestCase):
    def test_a_students_file_is_read_by_staff_under_audit_and_by_the_family_freely(self):
        """nadia.petit's visit to Lucas's file is recorded; claire.martin's is not; charlie gets a 404."""
        self.punishment()
        url = reverse("discipline:student", args=[self.people["lucas.martin"].pk])
        for who, status, recorded in [
            ("nadia.petit", 200, True),
            ("claire.martin", 200, False),
            ("charlie.roux", 404, False),
            ("thomas.girard", 404, False),
        ]:
            with self.subTest(who=who):
                AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).delete()
                self.login(who)
                response = self.client.get(url)
                self.assertEqual(response.status_code, status)
                if status == 200:
                    self.assertContains(response, "Devoir supplémentaire")
                    self.assertContains(response, "1 punition sur les dix derniers mois, par mois")
                    month = timezone.localdate().strftime("%Y")
                    self.assertContains(response, f" {month} : 1</li>")
                self.assertIs(AuditEvent.objects.filter(verb="discipline.view_file").exists(), recorded)

    def test_the_family_sees_the_procedure_but_not_the_defence_notes_nor_the_forms(self):
        """claire.martin reads the steps and the facts; the defence notes and the step forms are the principal's."""
        marc = self.actor("marc.leroy")
        sanction = self.sanction()
        actions.inform_family(actor=marc, sanction=sanction)
        actions.record_defence(actor=marc, sanction=sanction, summary="Notes internes de l'entretien.")
        url = reverse("discipline:sanction", args=[sanction.pk])
        self.login("claire.martin")
        response = self.client.get(url)
        self.assertContains(response, "Violence envers un camarade.")
        self.assertNotContains(response, "Notes internes")
        self.assertNotContains(response, "Prononcer la sanction")
        self.assertEqual(self.client.post(url, {"step": "decide"}).status_code, 404)
        self.login("marc.leroy")
        self.assertContains(self.client.get(url), "Notes internes")

    def test_the_principal_waits_for_the_deadline_on_the_page(self):
        """Right after informing, the page says when a decision becomes possible and offers no decision form."""
        sanction = self.sanction()
        actions.inform_family(actor=self.actor("marc.leroy"), sanction=sanction)
        self.login("marc.leroy")
        url = reverse("discipline:sanction", args=[sanction.pk])
        response = self.client.get(url)
        self.assertContains(response, "La décision ne peut être prise qu")
        self.assertNotContains(response, "Prononcer la sanction")
        today = timezone.localdate().isoformat()
        response = self.client.post(url, {"step": "decide", "decide-on": today, "decide-kind": "warning"})
        self.assertEqual(response.status_code, 404)

    def test_the_pages_answer_404_when_the_module_is_off(self):
        """An establishment that switched discipline off has no discipline pages."""
        punishment = self.punishment()
        college = self.school.college.establishment
        college.module_settings = {"discipline": False}
        college.save()
        self.login("nadia.petit")
        for url in (reverse("discipline:home"), reverse("discipline:punishment", args=[punishment.pk])):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
