"""Forums: registrations (module, menu, notification kind, personal data)."""

from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.forums.models import Forum, Post, Subscription, Topic

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.forums.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="forums",
        label=_("Forums"),
        description=_("Les forums des classes, des groupes, de l'établissement et la salle des professeurs."),
    )
)
registry.register_menu(
    registry.MenuEntry(key="forums", label=_("Forums"), url_name="forums:index", order=65, module="forums")
)
registry.register_establishment_setup(
    registry.EstablishmentSetup(name="forums.standing", run="cartable.forums.actions.ensure_standing_forums")
)
registry.register_notification_kind(
    registry.NotificationKind(key="forums.post", label=_("Nouveau message de forum"), default_channels=("in_app",))
)

FORUM_LIFE = _("Tant que le forum existe (forums de classe : l'année scolaire).")

registry.personal_data(
    Forum,
    _("Ouvrir des forums de classe ou de groupe."),
    FORUM_LIFE,
    lambda u: list(Forum.objects.filter(created_by=u).values("title", "kind")),
    ERASE,
    "created_by",
)
registry.personal_data(
    Topic,
    _("Ouvrir et modérer des sujets de discussion."),
    FORUM_LIFE,
    lambda u: [
        dict(r, created_at=r["created_at"].isoformat())
        for r in Topic.objects.filter(author=u).values("title", "created_at")
    ],
    ERASE,
    "author",
    "locked_by",
)
registry.personal_data(
    Post,
    _("Échanger dans les forums ; garder la trace de la modération."),
    FORUM_LIFE,
    lambda u: [
        {"topic": r["topic__title"], "body": r["body"], "created_at": r["created_at"].isoformat()}
        for r in Post.objects.filter(author=u).values("topic__title", "body", "created_at")
    ],
    ERASE,
    "author",
    "hidden_by",
)
registry.personal_data(
    Subscription,
    _("Prévenir la personne des nouveaux messages des forums et sujets qu'elle suit."),
    _("Jusqu'à désabonnement."),
    lambda u: list(Subscription.objects.filter(user=u).values("forum__title", "topic__title")),
    ERASE,
    "user",
)

registry.register_demo_loader("forums", "cartable.forums.demo.load_demo")
