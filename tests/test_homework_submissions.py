"""Online submission: who hands in, when, who sees what, the teacher's list, the zip and the feedback."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent, Notification
from cartable.homework.models import Feedback, Homework, Submission, SubmissionFile
from cartable.homework.submissions import actions
from tests.support.files import pdf_upload, tiny_docx, tiny_pdf, tiny_png
from tests.support.homework import SubmissionTestCase

EVERYONE = [
    "lucas.martin",
    "claire.martin",
    "paul.dupont",
    "marc.leroy",
    "admin.region",
    "sophie.bernard",
    "lea.bernard",
    "thomas.girard",
    "ines.girard",
    "nadia.petit",
    "julie.moreau",
    "charlie.roux",
    "emma.martin",
]
SEES_LUCAS_WORK = {"lucas.martin", "claire.martin", "paul.dupont", "marc.leroy", "admin.region"}


class HandingInTests(SubmissionTestCase):
    def test_a_student_hands_in_files_and_text(self):
        """lucas.martin hands in two files and an answer: one submission, stored files, an audit row."""
        response = self.submit(files=[pdf_upload(), SimpleUploadedFile("schema.png", tiny_png())], text="Voici")
        self.assertRedirects(response, reverse("homework:submissions:student", args=[self.homework.pk]))
        submission = Submission.objects.get(homework=self.homework, student=self.people["lucas.martin"])
        self.assertEqual((submission.text, submission.revision, submission.is_late), ("Voici", 1, False))
        files = list(submission.files.order_by("id"))
        self.assertEqual([f.original_name for f in files], ["copie.pdf", "schema.png"])
        self.assertEqual([f.content_type for f in files], ["application/pdf", "image/png"])
        self.assertRegex(files[0].file.name, r"^submissions/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")
        self.assertTrue(default_storage.exists(files[0].file.name))
        event = AuditEvent.objects.get(verb="homework.submission.submit")
        self.assertEqual(event.subject_id, self.people["lucas.martin"].pk)
        self.assertEqual(event.after["files"], ["copie.pdf", "schema.png"])

    def test_replacing_bumps_the_revision_and_removes_the_old_files(self):
        """New files replace the old ones (removed from storage); without new files, old ones stay."""
        self.submit(files=[pdf_upload("v1.pdf")], text="v1")
        old = SubmissionFile.objects.get().file.name
        self.submit(files=[pdf_upload("v2.pdf")], text="v2")
        submission = Submission.objects.get()
        self.assertEqual(submission.revision, 2)
        self.assertEqual([f.original_name for f in submission.files.all()], ["v2.pdf"])
        self.assertFalse(default_storage.exists(old))
        self.submit(text="v3 sans fichier")
        submission.refresh_from_db()
        self.assertEqual((submission.revision, submission.text), (3, "v3 sans fichier"))
        self.assertEqual([f.original_name for f in submission.files.all()], ["v2.pdf"])
        kept = submission.files.get()
        self.submit(text="v4", remove=[kept.pk])
        self.assertFalse(submission.files.exists())
        self.assertFalse(default_storage.exists(kept.file.name))
        self.assertEqual(AuditEvent.objects.filter(verb="homework.submission.replace").count(), 3)

    def test_late_work_is_flagged_or_refused_by_the_late_policy(self):
        """After the deadline: accepted and flagged late, or refused with a clear message."""
        accepting = self.make_homework(deadline=dt.timedelta(hours=-1))
        refusing = self.make_homework(deadline=dt.timedelta(hours=-1), late_policy=Homework.LatePolicy.REFUSE)
        self.submit(homework=accepting, files=[pdf_upload()])
        self.assertTrue(Submission.objects.get(homework=accepting).is_late)
        response = self.submit(homework=refusing, files=[pdf_upload()], follow=True)
        self.assertFalse(Submission.objects.filter(homework=refusing).exists())
        self.assertContains(response, "Ce travail ne peut plus être déposé ni remplacé.")
        page = self.client.get(reverse("homework:submissions:student", args=[refusing.pk]))
        self.assertContains(page, "Le dépôt est fermé")
        self.assertNotContains(page, '<form method="post" enctype')

    def test_refused_files_keep_what_was_typed(self):
        """An HTML page renamed .pdf is refused with a French message; the typed answer stays in the form."""
        html = SimpleUploadedFile("devoir.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
        response = self.submit(files=[html], text="Ma longue réponse")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Ce type de fichier n&#x27;est pas accepté : devoir.pdf.", status_code=400)
        self.assertContains(response, "Ma longue réponse", status_code=400)
        self.assertFalse(Submission.objects.exists())

    def test_an_empty_hand_in_is_refused(self):
        """Nothing typed and no file: a clear message, no submission."""
        response = self.submit(text="   ")
        self.assertContains(response, "Votre dépôt est vide", status_code=400)
        self.assertFalse(Submission.objects.exists())

    def test_only_a_student_the_homework_is_set_for_hands_in(self):
        """A student of another class gets a 404; the action refuses anyone else."""
        response = self.submit("ines.girard", files=[pdf_upload()])
        self.assertEqual(response.status_code, 404)
        for username in ["ines.girard", "claire.martin", "paul.dupont", "charlie.roux"]:
            with self.subTest(who=username), self.assertRaises(PermissionDenied):
                actions.submit_work(actor=self.actor(username), homework=self.homework, text="x")
        self.assertFalse(Submission.objects.exists())

    def test_homework_without_online_submission_has_no_page(self):
        """A homework that does not accept submissions answers 404, like a missing one."""
        offline = self.make_homework(accepts_submissions=False, submission_deadline=None)
        self.login("lucas.martin")
        for pk in [offline.pk, 999999]:
            with self.subTest(pk=pk):
                response = self.client.get(reverse("homework:submissions:student", args=[pk]))
                self.assertEqual(response.status_code, 404)

    def test_guardians_see_the_state_but_cannot_hand_in(self):
        """claire.martin sees Lucas's submission and files, without a form; her POST changes nothing."""
        self.submit(files=[pdf_upload()], text="Réponse de Lucas")
        response = self.submit("claire.martin", text="Écrit par la mère")
        self.assertEqual(response.status_code, 302)
        page = self.client.get(reverse("homework:submissions:student", args=[self.homework.pk]))
        self.assertContains(page, "Réponse de Lucas")
        self.assertContains(page, "copie.pdf")
        self.assertNotContains(page, 'enctype="multipart/form-data"')
        self.assertEqual(Submission.objects.get().text, "Réponse de Lucas")

    def test_the_homework_teacher_is_sent_to_the_class_list(self):
        """paul.dupont opening the student page lands on the list of the class's submissions."""
        self.login("paul.dupont")
        response = self.client.get(reverse("homework:submissions:student", args=[self.homework.pk]))
        self.assertRedirects(response, reverse("homework:submissions:list", args=[self.homework.pk]))


class VisibilityTests(SubmissionTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls._media_tmp = None

    def setUp(self):
        self.submission = self.lucas_submission(files=[self.checked_pdf()])
        self.file = self.submission.files.get()
        self.feedback = actions.return_feedback(
            actor=self.actor("paul.dupont"),
            submission=self.submission,
            text="Bien",
            mark=Decimal("15"),
            corrected=self.checked_pdf("corrige.pdf"),
        )

    def checked_pdf(self, name="copie.pdf"):
        from cartable.core import uploads

        return uploads.validate_upload(pdf_upload(name), allowed={"pdf"})

    def test_who_sees_a_submission(self):
        """The student, their guardians, the homework's teacher, the direction and the region; nobody else."""
        for username in EVERYONE:
            expected = username in SEES_LUCAS_WORK
            actor = self.actor(username)
            with self.subTest(who=username):
                for obj in [self.submission, self.file, self.feedback]:
                    obj = (
                        type(obj)
                        .objects.select_related(
                            *(
                                ["homework__assignment"]
                                if isinstance(obj, Submission)
                                else ["submission__homework__assignment"]
                            )
                        )
                        .get(pk=obj.pk)
                    )
                    self.assertIs(authz.allows(actor, Action.VIEW, obj), expected, type(obj).__name__)
                    self.assertIs(type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists(), expected)

    def test_who_changes_and_who_returns_feedback(self):
        """Only the student changes their submission; only the homework's teacher writes feedback."""
        for username in EVERYONE:
            actor = self.actor(username)
            with self.subTest(who=username):
                self.assertIs(
                    authz.allows(actor, Action.CHANGE, self.submission), username == "lucas.martin", "submission"
                )
                self.assertIs(authz.allows(actor, Action.CHANGE, self.feedback), username == "paul.dupont", "feedback")

    def test_files_only_through_the_guarded_views_and_the_same_404(self):
        """Downloads answer 200 to those who see the work and the same 404 to everyone else and for missing ids."""
        urls = [
            reverse("homework:submissions:file", args=[self.file.pk]),
            reverse("homework:submissions:correction", args=[self.feedback.pk]),
        ]
        for username in EVERYONE:
            self.login(username)
            for url in urls:
                with self.subTest(who=username, url=url):
                    response = self.client.get(url)
                    expected = 200 if username in SEES_LUCAS_WORK else 404
                    self.assertEqual(response.status_code, expected)
                    if expected == 200:
                        self.assertEqual(b"".join(response.streaming_content), tiny_pdf())
                        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
                        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.login("paul.dupont")
        for url in [
            reverse("homework:submissions:file", args=[999999]),
            reverse("homework:submissions:correction", args=[999999]),
        ]:
            self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(self.client.get("/media/" + self.file.file.name).status_code == 200)

    def test_who_opens_the_class_list_and_the_feedback_page(self):
        """The list: the homework's teacher, the direction, the region; the feedback form: the teacher only."""
        list_url = reverse("homework:submissions:list", args=[self.homework.pk])
        zip_url = reverse("homework:submissions:zip", args=[self.homework.pk])
        feedback_url = reverse("homework:submissions:feedback", args=[self.submission.pk])
        for username in EVERYONE:
            self.login(username)
            with self.subTest(who=username):
                sees_list = username in {"paul.dupont", "marc.leroy", "admin.region"}
                self.assertEqual(self.client.get(list_url).status_code, 200 if sees_list else 404)
                response = self.client.get(zip_url)
                self.assertEqual(response.status_code, 200 if sees_list else 404)
                if sees_list:
                    self.assertTrue(b"".join(response.streaming_content).startswith(b"PK"))
                self.assertEqual(self.client.get(feedback_url).status_code, 200 if username == "paul.dupont" else 404)


class TeacherTests(SubmissionTestCase):
    def test_the_list_shows_each_student_submitted_late_or_missing(self):
        """Lucas handed in, Léa handed in late, Zoé did not: the list and its counts say so."""
        self.lucas_submission(text="À l'heure")
        Submission.objects.create(
            establishment=self.homework.establishment,
            homework=self.homework,
            student=self.people["lea.bernard"],
            text="Tard",
            submitted_at=timezone.now(),
            is_late=True,
        )
        self.login("paul.dupont")
        response = self.client.get(reverse("homework:submissions:list", args=[self.homework.pk]))
        html = response.content.decode()
        self.assertIn("à l'heure : 1 · en retard : 1 · non rendus : 1", html)
        for name in ["Martin Lucas", "Bernard Léa", "Fontaine Zoé"]:
            self.assertIn(name, html)
        self.assertNotIn("Girard", html)

    def test_the_list_costs_the_same_for_3_or_30_students(self):
        """The teacher's list has a pinned query count that does not grow with the class."""
        from cartable.directory.models import Enrolment, User

        self.lucas_submission(files=[VisibilityTests.checked_pdf(self)])
        url = reverse("homework:submissions:list", args=[self.homework.pk])
        self.login("paul.dupont")
        self.client.get(url)
        with self.assertNumQueries(7):
            self.client.get(url)
        five_a = self.school.college.classes["5e A"]
        students = User.objects.bulk_create(
            [User(username=f"eleve{i}", first_name="Élève", last_name=f"N{i:02}") for i in range(27)]
        )
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    establishment=five_a.establishment,
                    student=s,
                    school_class=five_a,
                    start_date=self.school.college.year.start_date,
                )
                for s in students
            ]
        )
        for s in students[:20]:
            submission = Submission.objects.create(
                establishment=five_a.establishment,
                homework=self.homework,
                student=s,
                text="x",
                submitted_at=timezone.now(),
            )
            SubmissionFile.objects.create(
                establishment=five_a.establishment,
                submission=submission,
                file="submissions/x.pdf",
                original_name="x.pdf",
                content_type="application/pdf",
                size=3,
            )
        with self.assertNumQueries(7):
            response = self.client.get(url)
        self.assertContains(response, "à l'heure : 21 · en retard : 0 · non rendus : 9")

    def test_the_zip_holds_every_file_under_the_students_name(self):
        """One zip, entries ``Nom Prénom/fichier``, typed answers as a text file, duplicates renamed."""
        self.submit(
            files=[pdf_upload("copie.pdf", "un"), SimpleUploadedFile("copie.pdf", tiny_pdf("deux"))], text="Ma réponse"
        )
        self.submit("lea.bernard", files=[SimpleUploadedFile("devoir.docx", tiny_docx())])
        self.login("paul.dupont")
        response = self.client.get(reverse("homework:submissions:zip", args=[self.homework.pk]))
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertIn("attachment;", response["Content-Disposition"])
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        self.assertEqual(
            sorted(archive.namelist()),
            [
                "Bernard Léa/devoir.docx",
                "Martin Lucas/copie (2).pdf",
                "Martin Lucas/copie.pdf",
                "Martin Lucas/reponse.txt",
            ],
        )
        self.assertEqual(archive.read("Martin Lucas/copie.pdf"), tiny_pdf("un"))
        self.assertEqual(archive.read("Martin Lucas/reponse.txt").decode(), "Ma réponse")

    def test_feedback_reaches_the_student_and_the_guardians(self):
        """paul.dupont returns a comment, a corrected copy and 15/20; Lucas and Claire are notified and see it."""
        submission = self.lucas_submission(text="Réponse")
        self.login("paul.dupont")
        url = reverse("homework:submissions:feedback", args=[submission.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url,
                {"text": "Bon travail", "mark": "15,5", "mark_out_of": "20", "corrected": pdf_upload("corrige.pdf")},
            )
        self.assertRedirects(response, reverse("homework:submissions:list", args=[self.homework.pk]))
        feedback = Feedback.objects.get()
        self.assertEqual(
            (feedback.text, feedback.mark, feedback.corrected_name), ("Bon travail", Decimal("15.5"), "corrige.pdf")
        )
        notified = set(
            Notification.objects.filter(kind="homework.feedback").values_list("recipient__username", flat=True)
        )
        self.assertEqual(notified, {"lucas.martin", "claire.martin"})
        self.assertTrue(
            AuditEvent.objects.filter(verb="homework.feedback.return", subject_id=submission.student_id).exists()
        )
        for username in ["lucas.martin", "claire.martin"]:
            with self.subTest(who=username):
                self.login(username)
                page = self.client.get(reverse("homework:submissions:student", args=[self.homework.pk]))
                self.assertContains(page, "Bon travail")
                self.assertContains(page, "15,5 / 20")
                self.assertContains(page, reverse("homework:submissions:correction", args=[feedback.pk]))
        # Corrected work can no longer be replaced.
        response = self.submit(text="Encore", follow=True)
        self.assertContains(response, "Ce travail ne peut plus être déposé ni remplacé.")
        self.assertEqual(Submission.objects.get().text, "Réponse")

    def test_a_mark_above_the_scale_or_an_empty_feedback_is_refused(self):
        """21/20 and an empty return are refused with clear messages, the comment kept."""
        submission = self.lucas_submission()
        self.login("paul.dupont")
        url = reverse("homework:submissions:feedback", args=[submission.pk])
        response = self.client.post(url, {"text": "Commentaire gardé", "mark": "21", "mark_out_of": "20"})
        self.assertContains(response, "La note ne peut pas dépasser 20.", status_code=400)
        self.assertContains(response, "Commentaire gardé", status_code=400)
        response = self.client.post(url, {"text": "", "mark": "", "mark_out_of": "20"})
        self.assertContains(response, "Le retour est vide", status_code=400)
        self.assertFalse(Feedback.objects.exists())


class QueryBudgetTests(SubmissionTestCase):
    def test_the_student_and_feedback_pages_cost_a_fixed_number_of_queries(self):
        """The student's page (as the student and as a guardian) and the feedback page do not grow with
        the number of files handed in."""
        from cartable.core import uploads

        def checked(i):
            return uploads.validate_upload(pdf_upload(f"page{i}.pdf"), allowed={"pdf"})

        submission = self.lucas_submission(files=[checked(0)])
        pages = [
            ("lucas.martin", reverse("homework:submissions:student", args=[self.homework.pk])),
            ("claire.martin", reverse("homework:submissions:student", args=[self.homework.pk])),
            ("paul.dupont", reverse("homework:submissions:feedback", args=[submission.pk])),
        ]
        counts = {}
        for username, url in pages:
            self.login(username)
            self.client.get(url)
            with self.assertNumQueries(BUDGETS[username]) as context:
                self.client.get(url)
            counts[username] = len(context.captured_queries)
        submission.files.all().delete()
        self.lucas_submission(files=[checked(i) for i in range(8)])
        for username, url in pages:
            self.login(username)
            self.client.get(url)
            with self.subTest(who=username), self.assertNumQueries(counts[username]):
                response = self.client.get(url)
                self.assertContains(response, "page7.pdf")


BUDGETS = {"lucas.martin": 7, "claire.martin": 8, "paul.dupont": 5}
