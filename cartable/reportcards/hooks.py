"""Bulletins: registrations (module, menu, notification kinds, periodic job, personal data)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.directory.models import Role
from cartable.reportcards.models import (
    CouncilDecision,
    GeneralAppreciation,
    GenerationRun,
    ReportCard,
    SubjectAppreciation,
)

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.reportcards.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="reportcards",
        label=_("Bulletins"),
        description=_("Appréciations, conseil de classe, bulletins en PDF publiés aux familles."),
    )
)

_READERS = {Role.STUDENT, Role.GUARDIAN, Role.TEACHER, Role.EDUCATION, Role.DIRECTION}

registry.register_menu(
    registry.MenuEntry(
        key="reportcards.index",
        label=_("Bulletins"),
        url_name="reportcards:index",
        order=45,
        module="reportcards",
        visible=lambda actor: actor.role in _READERS,
    )
)
registry.register_notification_kind(
    registry.NotificationKind(
        key="reportcards.published", label=_("Bulletin publié"), default_channels=("in_app", "email")
    )
)

SCHOLARITY = _("La scolarité de l'élève dans l'établissement, puis les durées d'archivage des bulletins.")

registry.personal_data(
    SubjectAppreciation,
    _("Apprécier le travail de l'élève dans chaque discipline (bulletin)."),
    SCHOLARITY,
    lambda u: list(
        SubjectAppreciation.objects.filter(student=u).values("period__name", "subject__name", "text", "updated_at")
    ),
    ERASE,
    "student",
    "author",
)
registry.personal_data(
    GeneralAppreciation,
    _("Appréciation générale du professeur principal (bulletin)."),
    SCHOLARITY,
    lambda u: list(GeneralAppreciation.objects.filter(student=u).values("period__name", "text", "updated_at")),
    ERASE,
    "student",
    "author",
)
registry.personal_data(
    CouncilDecision,
    _("Décision et mention du conseil de classe (bulletin)."),
    SCHOLARITY,
    lambda u: list(
        CouncilDecision.objects.filter(student=u).values("period__name", "mention", "decision", "updated_at")
    ),
    ERASE,
    "student",
    "decided_by",
)
registry.personal_data(
    ReportCard,
    _("Remettre aux familles les bulletins de l'élève."),
    SCHOLARITY,
    lambda u: list(  # the published versions only, as for the files: a draft is not the family's yet
        ReportCard.objects.filter(student=u, published_at__lte=timezone.now()).values(
            "period__name", "version", "published_at", "data"
        )
    ),
    ERASE,
    "student",
    "generated_by",
    "published_by",
    files=lambda u: [  # the published ones only: a draft is not the family's yet
        (c.filename(), c.file.name)
        for c in ReportCard.objects.filter(student=u, published_at__lte=timezone.now()).select_related(
            "student", "period"
        )
    ],
)
registry.personal_data(
    GenerationRun,
    _("Suivre la production des bulletins d'une classe."),
    _("Un an."),
    lambda u: list(
        GenerationRun.objects.filter(requested_by=u).values("school_class__name", "period__name", "created_at")
    ),
    ERASE,
    "requested_by",
)


def _periodic() -> None:
    from cartable.reportcards.tasks import announce_published_report_cards

    registry.register_periodic(
        registry.PeriodicJob(
            key="reportcards.announce_published",
            task=announce_published_report_cards,
            every=dt.timedelta(minutes=5),
            description=_("Annonce aux familles des bulletins dont la date de publication est arrivée."),
        )
    )


_periodic()

# The demo loader: the bulletins read the marks and the school life.
registry.register_demo_loader(
    "reportcards", "cartable.reportcards.demo.load_demo", after=("grades", "attendance", "discipline")
)

# Reads recorded by the audit trail, named for « Qui a consulté » (privacy).
registry.register_read_verb(registry.ReadVerb(key="reportcards.read", label=_("un bulletin")))
