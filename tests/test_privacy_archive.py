"""« Mes données » on the whole demo region: a person with a row in every provider finds each in the archive."""

import datetime as dt
import io
import json
import tempfile
import zipfile

from django.contrib.admin.models import ADDITION, LogEntry
from django.core.files.storage import default_storage
from django.test import TestCase, override_settings
from django.utils import timezone

from cartable.accounts.models import AccountSession, Preferences
from cartable.agenda.models import CalendarFeed
from cartable.attendance.models import MarkChange, RollCall
from cartable.core import audit, registry
from cartable.core.models import Delivery, DigestRun, Notification
from cartable.demo.personas import person
from cartable.demo.region import load_demo_region
from cartable.directory.actor import Actor
from cartable.directory.models import SchoolClass, User
from cartable.documents.models import UploadSession
from cartable.homework.models import Attachment, Feedback, Homework, HomeworkDone, Submission
from cartable.learning.models import Accommodation, Attempt, Quiz
from cartable.messaging.models import Folder
from cartable.privacy import actions, archive
from cartable.privacy.models import KEPT_FOR, DataExport, Limitation
from cartable.provisioning.models import ContactDetails, LetterBatch
from cartable.sso.models import Service, SignedInService, Ticket
from cartable.timetable.models import TimetableImport

# The apps whose every provider this test gives a row and finds in the archive. An app merged later joins the
# list once its providers are completed (legal basis, files) and given a row here or in the demo.
COMPLETED_APPS = {
    "admin",
    "accounts",
    "agenda",
    "attendance",
    "core",
    "directory",
    "discipline",
    "documents",
    "forums",
    "governance",
    "grades",
    "homework",
    "learning",
    "messaging",
    "news",
    "notifications",
    "privacy",
    "provisioning",
    "reportcards",
    "sso",
    "timetable",
}


def completed_providers() -> list[registry.DataProvider]:
    return [p for p in archive.providers() if p.model._meta.app_label in COMPLETED_APPS]


def give_a_demo_row(provider: registry.DataProvider, tom: User) -> bool:
    """Point one of the demo's rows of the provider at ``tom``, through the first user field that makes the
    provider export it; False when the demo has no row to lend."""
    manager = provider.model._default_manager
    for name in provider.user_fields:
        row = manager.exclude(**{name: None}).exclude(**{name: tom}).order_by("pk").first()
        if row is None:
            continue
        before = getattr(row, f"{name}_id")
        manager.filter(pk=row.pk).update(**{name: tom})
        if provider.export(tom):
            return True
        manager.filter(pk=row.pk).update(**{name: before})
    return False


def give_the_rows_the_demo_lacks(tom: User) -> None:
    """The rows the demo makes for nobody (sessions, preferences, feeds, digests...), made for ``tom``."""
    AccountSession.objects.create(user=tom, session_key="archive-test-session")
    Preferences.objects.get_or_create(user=tom)
    LogEntry.objects.create(user=tom, object_repr="Collège", action_flag=ADDITION, change_message="[]")
    CalendarFeed.objects.create(user=tom, token_hash="0" * 64)
    school_class = SchoolClass.objects.order_by("pk").first()
    LetterBatch.objects.create(
        establishment_id=school_class.establishment_id,
        school_class=school_class,
        requested_by=tom,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    TimetableImport.objects.create(
        establishment_id=school_class.establishment_id,
        requested_by=tom,
        file_name="EXP_COURS.xml",
        sha256="0" * 64,
        valid_from=timezone.localdate(),
        outcome=TimetableImport.Outcome.APPLIED,
    )
    roll_call = RollCall.objects.order_by("pk").first()
    MarkChange.objects.create(
        establishment_id=roll_call.establishment_id, roll_call=roll_call, student=tom, before="present", after="absent"
    )
    notice = Notification.objects.create(recipient=tom, kind="test", title="Bienvenue")
    Delivery.objects.create(notification=notice, channel="email")
    DigestRun.objects.create(user=tom, day=timezone.localdate())
    homework = Homework.objects.order_by("pk").first()
    Attachment.objects.create(
        establishment_id=homework.establishment_id,
        homework=homework,
        file="homework/absent.pdf",
        original_name="consignes.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_by=tom,
    )
    HomeworkDone.objects.create(homework=homework, student=tom)
    submission = Submission.objects.filter(student=tom).first() or Submission.objects.order_by("pk").first()
    Feedback.objects.filter(submission=submission).delete()
    Feedback.objects.create(
        establishment_id=submission.establishment_id,
        submission=submission,
        author=tom,
        text="Bien",
        returned_at=timezone.now(),
    )
    Folder.objects.create(owner=tom, name="Classeur")
    DataExport.objects.create(
        requested_by=tom, subject=tom, status=DataExport.Status.DONE, expires_at=timezone.now() + KEPT_FOR
    )
    Limitation.objects.create(subject=tom, reason="Recours en cours")
    audit.record(actor=None, verb="directory.touch", target=tom, subject_id=tom.pk)
    UploadSession.objects.create(owner=tom, name="exposé.mp4", size=10_000_000, received=5_242_880)
    school_class = SchoolClass.objects.order_by("pk").first()
    now = timezone.now()
    quiz = Quiz.objects.create(
        establishment_id=school_class.establishment_id,
        owner=tom,
        title="Fractions",
        school_class=school_class,
        opens_at=now,
        closes_at=now + dt.timedelta(days=7),
    )
    Attempt.objects.create(
        establishment_id=quiz.establishment_id, quiz=quiz, student=tom, started_at=now, deadline=quiz.closes_at
    )
    Accommodation.objects.create(establishment_id=quiz.establishment_id, student=tom)
    ContactDetails.objects.create(person=tom, address="1 rue de l'École", postal_code="67000", city="Strasbourg")
    service = Service.objects.order_by("pk").first()
    SignedInService.objects.create(
        user=tom, service=service, service_url=service.url, session_key="archive-test", session_index="ST-x"
    )
    Ticket.objects.create(
        kind="ST", digest="1" * 64, user=tom, service=service, service_url=service.url, expires_at=now
    )


@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="cartable-privacy-"))
class ArchiveOfEveryProviderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo_region()
        cls.tom = person("tom.archive", "Tom", "Archive", birth=dt.date(2012, 3, 4))
        give_the_rows_the_demo_lacks(cls.tom)
        cls.lent = {p.model: give_a_demo_row(p, cls.tom) for p in completed_providers() if not p.export(cls.tom)}

    def test_the_person_has_a_row_in_every_provider(self):
        for provider in completed_providers():
            with self.subTest(model=provider.model._meta.label):
                self.assertTrue(provider.export(self.tom), f"tom has no row of {provider.model._meta.label}")

    def test_each_providers_rows_and_files_are_in_the_archive(self):
        """Each provider's rows are in its JSON file, its files beside them, its purpose in the LISEZMOI."""
        expected = {
            p.model: json.loads(json.dumps(p.export(self.tom), default=archive._default)) for p in completed_providers()
        }
        with self.captureOnCommitCallbacks(execute=True):
            export = actions.request_export(actor=Actor(self.tom), subject=self.tom)
        export.refresh_from_db()
        self.assertEqual(export.status, "done", export.error)
        with default_storage.open(export.file.name, "rb") as handle:
            zipped = zipfile.ZipFile(io.BytesIO(handle.read()))
        readme = zipped.read("LISEZMOI.md").decode()
        for provider in completed_providers():
            with self.subTest(model=provider.model._meta.label):
                archived = json.loads(zipped.read(archive.json_name(provider)))
                for row in expected[provider.model]:
                    self.assertIn(row, archived)
                self.assertIn(str(provider.purpose), readme)
                stored = [n for _s, n in (provider.files(self.tom) if provider.files else []) if n]
                folder = f"fichiers/{provider.model._meta.label_lower}/"
                in_zip = [n for n in zipped.namelist() if n.startswith(folder)]
                self.assertEqual(len(in_zip), len([n for n in stored if default_storage.exists(n)]))
