"""Actualités: registrations (module, menu, widget, notification kind, periodic job, personal data)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.news.models import NewsItem

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.news.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="news", label=_("Actualités"), description=_("Les actualités de l'établissement et de la région.")
    )
)
registry.register_menu(
    registry.MenuEntry(key="news", label=_("Actualités"), url_name="news:index", order=60, module="news")
)
registry.register_notification_kind(
    registry.NotificationKind(key="news.published", label=_("Nouvelle actualité"), default_channels=("in_app",))
)


def _widget(actor):
    from cartable.news.queries import widget_news

    return {"items": widget_news(actor)}


registry.register_widget(
    registry.Widget(
        key="news.latest",
        title=_("Actualités"),
        template="news/widgets/latest.html",
        context=_widget,
        order=15,
        module="news",
        visible=lambda actor: bool(actor.memberships),
        cache_for=60,
        changes_with=("news.",),
    )
)


def _periodic() -> None:
    from cartable.news.tasks import announce_due_news

    registry.register_periodic(
        registry.PeriodicJob(
            key="news.announce_published",
            task=announce_due_news,
            every=dt.timedelta(minutes=5),
            description=_("Annonce à leur public des actualités programmées devenues visibles."),
        )
    )


_periodic()

registry.personal_data(
    NewsItem,
    _("Publier les actualités de l'établissement."),
    _("Jusqu'à suppression de l'actualité."),
    lambda u: [
        dict(r, publish_at=r["publish_at"].isoformat())
        for r in NewsItem.objects.filter(author=u).values("title", "publish_at", "audience")
    ],
    ERASE,
    "author",
)

registry.register_demo_loader("news", "cartable.news.demo.load_demo")
