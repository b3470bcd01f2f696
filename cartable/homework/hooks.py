"""Homework registrations: module, menu, widgets, notification kinds, personal data."""

from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.homework.models import (
    Attachment,
    Feedback,
    Homework,
    HomeworkDone,
    LogEntry,
    Submission,
)

registry.register_module(
    registry.Module(
        key="homework",
        label=_("Cahier de textes"),
        description=_("Le contenu des séances, les devoirs, le dépôt de devoirs en ligne et la charge de travail."),
    )
)

SCHOOL_YEAR = _("L'année scolaire, puis un an (document officiel de la classe).")


def _provider(model, purpose, retention, export, erase, *fields):
    registry.register_data_provider(
        registry.DataProvider(
            model=model, purpose=purpose, retention=retention, export=export, erase=erase, user_fields=fields
        )
    )


_provider(
    LogEntry,
    _("Tenir le cahier de textes de la classe."),
    SCHOOL_YEAR,
    lambda u: list(LogEntry.objects.filter(author=u).values("date", "title")),
    lambda u: None,  # an official class document: kept, its author stays recorded
    "author",
)
_provider(
    Homework,
    _("Donner le travail à faire aux élèves."),
    SCHOOL_YEAR,
    lambda u: list(Homework.objects.filter(author=u).values("due_date", "title")),
    lambda u: None,
    "author",
)
_provider(
    Attachment,
    _("Joindre des documents aux séances et aux devoirs."),
    SCHOOL_YEAR,
    lambda u: list(Attachment.objects.filter(uploaded_by=u).values("original_name", "created_at")),
    lambda u: None,
    "uploaded_by",
)
_provider(
    HomeworkDone,
    _("Permettre à l'élève de suivre son travail."),
    _("L'année scolaire."),
    lambda u: list(HomeworkDone.objects.filter(student=u).values("homework__title", "done_at")),
    lambda u: HomeworkDone.objects.filter(student=u).delete(),
    "student",
)
_provider(
    Submission,
    _("Recevoir le travail rendu en ligne."),
    _("L'année scolaire."),
    lambda u: list(Submission.objects.filter(student=u).values("homework__title", "submitted_at", "is_late")),
    lambda u: Submission.objects.filter(student=u).delete(),
    "student",
)
_provider(
    Feedback,
    _("Rendre au travail de l'élève son commentaire et sa correction."),
    _("L'année scolaire."),
    lambda u: list(Feedback.objects.filter(submission__student=u).values("text", "mark", "returned_at")),
    lambda u: None,
    "author",
)
