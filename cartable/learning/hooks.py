"""Apprentissage: registrations (module, menu, personal data, demo loader)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.core import authz, registry
from cartable.learning.models import Accommodation, Attempt, Bank, Quiz

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.learning.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="learning",
        label=_("Apprentissage"),
        description=_("Les banques de questions des enseignants (GIFT et Moodle XML)."),
    )
)
registry.register_menu(
    registry.MenuEntry(
        key="learning.bank",
        label=_("Banque de questions"),
        url_name="learning:bank",
        order=75,
        module="learning",
        visible=lambda actor: authz.can(actor, "learning.use_bank"),
    )
)

registry.personal_data(
    Bank,
    _("Garder les questions qu'un enseignant écrit ou importe pour ses élèves."),
    _("Jusqu'à ce que l'enseignant les supprime ou quitte la région."),
    lambda u: [
        {
            "establishment": b.establishment_id,
            "categories": b.categories.count(),
            "created_at": b.created_at.isoformat(),
        }
        for b in Bank.objects.filter(owner=u)
    ],
    ERASE,
    "owner",
)

registry.register_demo_loader("learning", "cartable.learning.demo.load_demo")

registry.register_menu(
    registry.MenuEntry(
        key="learning.quizzes",
        label=_("Mes quiz"),
        url_name="learning:quizzes",
        order=76,
        module="learning",
        visible=lambda actor: authz.can(actor, "learning.take_quizzes"),
    )
)


def _submit_overdue() -> None:
    from cartable.learning.tasks import submit_overdue_attempts

    registry.register_periodic(
        registry.PeriodicJob(
            key="learning.submit_overdue",
            task=submit_overdue_attempts,
            every=dt.timedelta(minutes=1),
            description=_("Rend, avec ce qui a été enregistré, les tentatives de quiz dont le temps est écoulé."),
        )
    )


_submit_overdue()

registry.personal_data(
    Quiz,
    _("Donner des quiz aux classes."),
    _("Jusqu'à ce que l'enseignant les supprime ou quitte la région."),
    lambda u: [
        {"title": q.title, "opens_at": q.opens_at.isoformat(), "class": q.school_class_id}
        for q in Quiz.objects.filter(owner=u)
    ],
    ERASE,
    "owner",
)
registry.personal_data(
    Attempt,
    _("Évaluer les réponses d'un élève à un quiz."),
    _("Jusqu'à la suppression du quiz."),
    lambda u: [
        {
            "quiz": a.quiz_id,
            "started_at": a.started_at.isoformat(),
            "score": str(a.score) if a.score is not None else None,
        }
        for a in Attempt.objects.filter(student=u)
    ],
    ERASE,
    "student",
)
registry.personal_data(
    Accommodation,
    _("Appliquer à un élève les aménagements de son PAP ou PPS (temps et tentatives supplémentaires) aux quiz."),
    _("Tant que l'élève est inscrit dans l'établissement."),
    lambda u: [
        {
            "establishment": a.establishment_id,
            "extra_minutes_per_hour": a.extra_minutes_per_hour,
            "extra_attempts": a.extra_attempts,
        }
        for a in Accommodation.objects.filter(student=u)
    ],
    ERASE,
    "student",
)

registry.register_menu(
    registry.MenuEntry(
        key="learning.accommodations",
        label=_("Aménagements des quiz"),
        url_name="learning:accommodations",
        order=77,
        module="learning",
        visible=lambda actor: authz.can(actor, "learning.grant_accommodation"),
    )
)
registry.register_read_verb(registry.ReadVerb(key="learning.view_attempt", label=_("une tentative de quiz")))
registry.register_read_verb(
    registry.ReadVerb(key="learning.view_accommodations", label=_("les aménagements des quiz (PAP, PPS)"))
)
