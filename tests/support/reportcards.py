"""Shared set-up of the report-card tests (no tests of its own): marks for 5e A in the first trimester."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from pypdf import PdfReader

from cartable.attendance.models import Absence, Lateness, Status
from cartable.demo.personas import enrol, person
from cartable.directory.models import Enrolment
from cartable.grades.models import Evaluation, Mark
from cartable.reportcards import actions
from cartable.reportcards.models import CouncilDecision, GenerationRun, ReportCard
from tests.support.personas import PersonaTestCase

# (subject, teacher, coefficient, {student: value})
EVALUATIONS = [
    ("MATH", "paul.dupont", Decimal(2), {"lucas.martin": "14.5", "lea.bernard": "9", "zoe.fontaine": "17.25"}),
    ("MATH", "paul.dupont", Decimal(1), {"lucas.martin": "11", "lea.bernard": "12.5", "zoe.fontaine": "8"}),
    ("FRA", "sophie.bernard", Decimal(1), {"lucas.martin": "13", "lea.bernard": "15.75", "zoe.fontaine": "10"}),
]


def add_marks_and_absences(school) -> None:
    """5e A's marks in mathematics and French for the first trimester, and Lucas's absences and lateness."""
    kit = school.college
    people, college, five_a, period = school.people, kit.establishment, kit.classes["5e A"], kit.periods[0]
    for index, (code, teacher, coefficient, values) in enumerate(EVALUATIONS):
        evaluation = Evaluation.objects.create(
            establishment=college,
            teacher=people[teacher],
            subject=kit.subjects[code],
            school_class=five_a,
            period=period,
            title=f"Contrôle {index + 1}",
            date=period.start_date + dt.timedelta(days=10 + index),
            coefficient=coefficient,
            publish_at=timezone.now() - dt.timedelta(days=1),
        )
        Mark.objects.bulk_create(
            [
                Mark(
                    establishment=college,
                    evaluation=evaluation,
                    student=people[username],
                    value=Decimal(value),
                    updated_by=people[teacher],
                )
                for username, value in values.items()
            ]
        )

    # Lucas: a justified day of absence (2 half-days), an unjustified morning, two lateness records.
    tz = timezone.get_current_timezone()
    monday = period.start_date + dt.timedelta(days=14 - period.start_date.weekday())
    lucas = people["lucas.martin"]
    for day, start, end, status in [
        (monday, 8, 17, Status.JUSTIFIED),
        (monday + dt.timedelta(days=1), 8, 11, Status.UNJUSTIFIED),
    ]:
        Absence.objects.create(
            establishment=college,
            student=lucas,
            start=dt.datetime.combine(day, dt.time(start), tz),
            end=dt.datetime.combine(day, dt.time(end), tz),
            status=status,
            source=Absence.Source.STAFF,
        )
    for days in (2, 3):
        Lateness.objects.create(
            establishment=college,
            student=lucas,
            at=dt.datetime.combine(monday + dt.timedelta(days=days), dt.time(8), tz),
            minutes=10,
        )


class ReportCardTestCase(PersonaTestCase):
    """The persona school with marks in mathematics and French for 5e A in the first trimester."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        kit = cls.school.college
        cls.college = kit.establishment
        cls.five_a = kit.classes["5e A"]
        cls.four_b = kit.classes["4e B"]
        cls.period = kit.periods[0]
        cls.math = kit.subjects["MATH"]
        cls.french = kit.subjects["FRA"]
        cls.latin = kit.subjects["LAT"]  # Lucas's option, taught to the Latin 5e group
        add_marks_and_absences(cls.school)

    @classmethod
    def add_students(cls, count: int, *, start: int = 0) -> list:
        """More students in 5e A, with a mathematics mark each (to prove query counts constant)."""
        evaluation = Evaluation.objects.filter(school_class=cls.five_a, subject=cls.math).first()
        students = []
        for i in range(start, start + count):
            student = person(f"extra.{i}", "Élève", f"Supplémentaire {i:02d}", password=None)
            enrol(student, cls.five_a)
            Mark.objects.create(
                establishment=cls.college,
                evaluation=evaluation,
                student=student,
                value=Decimal(8 + i % 12),
                updated_by=cls.people["paul.dupont"],
            )
            students.append(student)
        return students

    def class_size(self) -> int:
        return Enrolment.objects.filter(school_class=self.five_a).count()


EVERYONE = [
    "paul.dupont",
    "sophie.bernard",
    "nadia.petit",
    "marc.leroy",
    "julie.moreau",
    "admin.region",
    "lucas.martin",
    "claire.martin",
    "thomas.girard",
    "charlie.roux",
]


def pdf_text(card: ReportCard) -> str:
    with card.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


class Flow(ReportCardTestCase):
    """Helpers to write, generate and publish as the personas."""

    def write_all(self):
        lucas = self.people["lucas.martin"]
        actions.save_subject_appreciation(
            actor=self.actor("paul.dupont"),
            school_class=self.five_a,
            period=self.period,
            subject=self.math,
            student=lucas,
            text="Bon trimestre, des efforts à poursuivre.",
        )
        actions.save_general_appreciation(
            actor=self.actor("paul.dupont"),
            school_class=self.five_a,
            period=self.period,
            student=lucas,
            text="Élève sérieux et investi.",
        )
        actions.record_decision(
            actor=self.actor("marc.leroy"),
            school_class=self.five_a,
            period=self.period,
            student=lucas,
            mention=CouncilDecision.Mention.ENCOURAGEMENTS,
            decision="Passage conseillé, continuer ainsi.",
        )

    def generate(self) -> GenerationRun:
        with self.captureOnCommitCallbacks(execute=True):
            run = actions.request_generation(
                actor=self.actor("marc.leroy"), school_class=self.five_a, period=self.period
            )
        run.refresh_from_db()
        return run

    def publish(self, **kwargs) -> list[ReportCard]:
        kwargs.setdefault("confirm_missing", True)  # the direction saw what is missing and publishes anyway
        with self.captureOnCommitCallbacks(execute=True):
            return actions.publish_class(
                actor=self.actor("marc.leroy"), school_class=self.five_a, period=self.period, **kwargs
            )

    def card_of(self, username: str, version: int = 1) -> ReportCard:
        return ReportCard.objects.get(student=self.people[username], period=self.period, version=version)
