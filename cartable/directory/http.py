"""The request as views see it once the middleware ran: the acting person (``request.actor``) and htmx."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from cartable.directory.actor import Actor
from cartable.directory.models import User


class ActorRequest(HttpRequest):
    """For annotations only: ``def page(request: ActorRequest) -> HttpResponse``."""

    actor: Actor
    htmx: HtmxDetails


class SignedInRequest(ActorRequest):
    """A request to a page that is not public: ``LoginRequiredMiddleware`` let it through, so its user is
    signed in (for annotations only)."""

    user: User  # narrower than HttpRequest's User | AnonymousUser
