"""The demo's online submissions: a 5e A maths paper to hand in, closed yesterday evening.

Lucas handed in on time (a PDF and a typed answer) and paul.dupont returned his feedback (16/20, with a
corrected copy); Léa handed in late this morning; Zoé did not hand in. Lucas and his mother have the
feedback notification. Deterministic, a handful of rows; files are stored like real uploads.

Writes: the homework, submissions and feedback directly, with past dates and files written in place
(``submit_work`` and ``return_feedback`` date them now and check the submission window).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import uploads
from cartable.core.notify import notify
from cartable.directory.models import TeachingAssignment
from cartable.homework.models import Feedback, Homework, Submission, SubmissionFile
from cartable.homework.submissions.actions import FEEDBACK_FOLDER, SUBMISSION_FOLDER

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

TITLE = "Problème ouvert : partager une pizza en fractions"


def demo_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), small and valid."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stored(name: str, text: str, folder: str) -> tuple[str, uploads.CheckedFile]:
    checked = uploads.validate_upload(ContentFile(demo_pdf(text), name=name), allowed={"pdf"})
    return uploads.store(checked, folder=folder), checked


def load_demo(personas: Personas, now: dt.datetime | None = None) -> dict[str, int]:
    """Write the demo's submissions and feedback on a 5e A maths homework; return the counts."""
    now = now or timezone.now()
    p = personas.people
    five_a = personas.college.classes["5e A"]
    maths = TeachingAssignment.objects.get(teacher=p["paul.dupont"], school_class=five_a)
    deadline = timezone.make_aware(dt.datetime.combine(timezone.localdate(now) - dt.timedelta(days=1), dt.time(18)))
    homework = Homework.objects.create(
        establishment_id=maths.establishment_id,
        assignment=maths,
        kind=Homework.Kind.HAND_IN,
        title=TITLE,
        instructions="<p>Quatre amis partagent trois pizzas. Quelle part chacun mange-t-il ? Justifiez.</p>",
        due_date=deadline.date(),
        estimated_minutes=30,
        published_at=deadline - dt.timedelta(days=7),
        notified_at=deadline - dt.timedelta(days=7),  # announced when it was set, a week ago
        accepts_submissions=True,
        submission_deadline=deadline,
        late_policy=Homework.LatePolicy.ACCEPT,
        author=p["paul.dupont"],
    )
    lucas = Submission.objects.create(
        establishment_id=homework.establishment_id,
        homework=homework,
        student=p["lucas.martin"],
        text="Chacun mange 3/4 de pizza : 3 pizzas partagees en 4.",
        submitted_at=deadline - dt.timedelta(days=2, hours=1),
        revision=2,
    )
    lea = Submission.objects.create(
        establishment_id=homework.establishment_id,
        homework=homework,
        student=p["lea.bernard"],
        submitted_at=deadline + dt.timedelta(hours=14),
        is_late=True,
    )
    files = []
    for submission, name, text in [
        (lucas, "probleme-pizzas-lucas.pdf", "Lucas Martin - 3/4 de pizza chacun"),
        (lea, "devoir pizzas.pdf", "Lea Bernard - partage des pizzas"),
    ]:
        stored, checked = _stored(name, text, SUBMISSION_FOLDER)
        files.append(
            SubmissionFile(
                establishment_id=homework.establishment_id,
                submission=submission,
                file=stored,
                original_name=checked.original_name,
                content_type=checked.content_type,
                size=checked.size,
            )
        )
    SubmissionFile.objects.bulk_create(files)
    corrected, checked = _stored("correction-lucas.pdf", "Tres bien : 3/4, bien justifie", FEEDBACK_FOLDER)
    feedback = Feedback.objects.create(
        establishment_id=homework.establishment_id,
        submission=lucas,
        text="Très bien raisonné. Pense à écrire la phrase de conclusion.",
        corrected_file=corrected,
        corrected_name=checked.original_name,
        mark=Decimal("16"),
        mark_out_of=20,
        author=p["paul.dupont"],
        returned_at=deadline + dt.timedelta(hours=16),
    )
    notify(
        recipients=[p["lucas.martin"], p["claire.martin"]],
        about={p["claire.martin"].pk: p["lucas.martin"].pk},  # Claire's notice names Lucas
        kind="homework.feedback",
        title=_("Travail corrigé : %(title)s") % {"title": homework.title},
        body=_("Le professeur a rendu son retour sur le travail déposé."),
        url=reverse("homework:submissions:student", args=[homework.pk]),
        target=feedback,
        establishment_id=homework.establishment_id,
        channels=("in_app",),  # the demo sends no e-mail of its own
    )
    return {"submissions": 2, "feedback": 1}
