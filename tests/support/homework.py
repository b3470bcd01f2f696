"""The persona school with a maths homework of 5e A that accepts submissions."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from cartable.directory.models import TeachingAssignment
from cartable.homework.models import Homework, Submission
from cartable.homework.submissions import actions
from tests.support.files import OwnMediaTestCase


class SubmissionTestCase(OwnMediaTestCase):
    """The persona school with a maths homework of 5e A (paul.dupont) that accepts submissions."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.maths = TeachingAssignment.objects.get(teacher=cls.people["paul.dupont"], school_class__name="5e A")
        cls.homework = cls.make_homework()

    @classmethod
    def make_homework(cls, *, deadline=dt.timedelta(days=2), late_policy=Homework.LatePolicy.ACCEPT, **kw):
        now = timezone.now()
        return Homework.objects.create(
            establishment=cls.maths.establishment,
            assignment=kw.pop("assignment", cls.maths),
            kind=Homework.Kind.HAND_IN,
            title=kw.pop("title", "Rédaction sur les fractions"),
            due_date=(now + deadline).date(),
            published_at=now - dt.timedelta(days=1),
            accepts_submissions=kw.pop("accepts_submissions", True),
            submission_deadline=kw.pop("submission_deadline", now + deadline),
            late_policy=late_policy,
            author=cls.people["paul.dupont"],
            **kw,
        )

    def submit(self, username="lucas.martin", homework=None, follow=False, **data):
        self.login(username)
        homework = homework or self.homework
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("homework:submissions:student", args=[homework.pk]), data, follow=follow)

    def lucas_submission(self, **kw) -> Submission:
        return actions.submit_work(
            actor=self.actor("lucas.martin"),
            homework=kw.pop("homework", self.homework),
            text=kw.pop("text", "Ma réponse"),
            files=kw.pop("files", []),
        )
