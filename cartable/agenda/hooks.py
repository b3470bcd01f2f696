"""Agenda registrations: module, menu, widgets, personal data."""

import datetime as dt
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cartable.agenda.models import CalendarFeed, Event
from cartable.core import registry

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.agenda.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="agenda", label=_("Agenda"), description=_("Les événements, les échéances et le flux d'agenda.")
    )
)
registry.register_menu(
    registry.MenuEntry(key="agenda", label=_("Agenda"), url_name="agenda:home", order=30, module="agenda")
)


def _upcoming(actor):
    from cartable.agenda.queries import upcoming_events

    return {"events": upcoming_events(actor)}


registry.register_widget(
    registry.Widget(
        key="agenda_upcoming",
        title=_("Prochains événements"),
        template="agenda/widgets/upcoming.html",
        context=_upcoming,
        order=40,
        module="agenda",
        cache_for=60,
        changes_with=("agenda.",),
    )
)

registry.register_data_provider(
    registry.DataProvider(
        model=Event,
        purpose=_("Annoncer les événements de l'établissement et tenir un agenda personnel."),
        retention=_("L'année scolaire, puis un an."),
        export=lambda u: [
            dict(r, start=r["start"].isoformat())
            for r in Event.objects.filter(owner=u).values("title", "start", "audience")
        ],
        erase=ERASE,
        user_fields=("owner",),
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=CalendarFeed,
        purpose=_("Publier l'agenda de la personne vers son téléphone ou son ordinateur."),
        retention=_("Jusqu'à révocation, puis un an."),
        export=lambda u: [
            {"created_at": f.created_at.isoformat(), "revoked_at": f.revoked_at and f.revoked_at.isoformat()}
            for f in CalendarFeed.objects.filter(user=u)
        ],
        erase=ERASE,
        user_fields=("user", "child"),
    )
)


def _events_tomorrow(tomorrow: dt.date) -> Iterator[registry.Reminder]:
    """Tomorrow's events, for the people they concern, read when the reminder leaves (a deleted event sends
    none). The notice says the event's own day and hour, never « demain »: it is read later."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext

    from cartable.agenda.queries import events_starting_on
    from cartable.core import dates
    from cartable.core.notify import PARIS

    for event, people in events_starting_on(tomorrow):
        if not people:
            continue
        if event.all_day:
            day = timezone.localtime(event.start, PARIS).date()
            when = gettext("%(day)s, toute la journée") % {"day": dates.date_avis(day)}
        else:
            when = dates.date_heure_avis(event.start)
        body = gettext("Lieu : %(place)s.") % {"place": event.location} if event.location else ""
        yield registry.Reminder(
            recipients=people,
            title=gettext("Rappel : %(title)s, %(when)s") % {"title": event.title, "when": when},
            body=body,
            url=reverse("agenda:event", args=[event.pk]),
            target=event,
            establishment_id=event.establishment_id,
        )


# The kind is the notification centre's (it registers it, with its label and channels).
registry.register_reminder_source(registry.ReminderSource(kind="notifications.event_tomorrow", due=_events_tomorrow))

registry.register_demo_loader("agenda", "cartable.agenda.demo.load_demo")


def _live_feeds(user) -> int:
    from cartable.agenda.queries import live_feed_count

    return live_feed_count(user)


def _offer_feeds(count: int) -> str:
    return ngettext(
        "Révoquer aussi le lien d'abonnement à mon agenda",
        "Révoquer aussi les %(count)d liens d'abonnement à mon agenda",
        count,
    ) % {"count": count}


registry.register_secret_links(
    registry.SecretLinks(
        key="agenda.feeds",
        offer=_offer_feeds,
        count=_live_feeds,
        revoke="cartable.agenda.actions.revoke_all_feeds",
    )
)
