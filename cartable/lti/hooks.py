"""LTI platform: registrations (menu, periodic purge, personal data)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.core import authz, registry
from cartable.directory.models import Role
from cartable.lti.models import Link, LoginHint, Score, Tool

ERASE = "cartable.lti.actions.erase_personal_data"

registry.register_menu(
    registry.MenuEntry(
        key="lti",
        label=_("Outils pédagogiques"),
        url_name="lti:index",
        order=86,
        visible=lambda actor: actor.has_role(Role.STUDENT) or actor.has_role(Role.TEACHER),
    )
)
registry.register_menu(
    registry.MenuEntry(
        key="lti.manage",
        label=_("Outils LTI"),
        url_name="lti:manage",
        order=87,
        visible=lambda actor: authz.can(actor, "lti.register_somewhere"),
    )
)


def _periodic() -> None:
    from cartable.lti.tasks import purge_expired

    registry.register_periodic(
        registry.PeriodicJob(
            key="lti.purge_expired",
            task=purge_expired,
            every=dt.timedelta(hours=1),
            description=_("Supprime les lancements LTI, nonces et jetons de service expirés."),
        )
    )


_periodic()

registry.personal_data(
    Score,
    _("Reporter dans le carnet de notes les scores qu'un outil pédagogique (LTI) envoie pour un élève."),
    _("Tant que la colonne de notes existe ; la note elle-même suit les règles du carnet de notes."),
    lambda u: [
        {"label": r["line_item__label"], "score": str(r["score_given"]), "at": r["timestamp"].isoformat()}
        for r in Score.objects.filter(student=u).values("line_item__label", "score_given", "timestamp")
    ],
    ERASE,
    "student",
)
registry.personal_data(
    LoginHint,
    _("Ouvrir une activité d'un outil pédagogique (LTI) en votre nom, une fois."),
    _("Cinq minutes ; supprimés par la purge régulière un jour après."),
    lambda u: [
        {"tool": r["tool__name"], "created_at": r["created_at"].isoformat()}
        for r in LoginHint.objects.filter(user=u).values("tool__name", "created_at")
    ],
    ERASE,
    "user",
)
registry.personal_data(
    Link,
    _("Savoir qui a placé une activité d'un outil pédagogique pour une classe."),
    _("Tant que l'activité existe."),
    lambda u: list(Link.objects.filter(created_by=u).values("title", "url")),
    ERASE,
    "created_by",
)
registry.personal_data(
    Tool,
    _("Savoir qui a enregistré un outil pédagogique (LTI)."),
    _("Tant que l'outil est enregistré."),
    lambda u: list(Tool.objects.filter(created_by=u).values("name", "launch_url")),
    ERASE,
    "created_by",
)
registry.register_demo_loader("lti", "cartable.lti.demo.load_demo", after=("sso",))
