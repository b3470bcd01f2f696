"""Builds ``request.actor`` once per request; its rows load lazily, when a page asks."""

from django.utils.functional import SimpleLazyObject

from cartable.core.http import client_ip
from cartable.directory.actor import SESSION_CHILD, SESSION_MEMBERSHIP, Actor


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def build() -> Actor:
            session = getattr(request, "session", {})
            return Actor(
                request.user,
                membership_id=session.get(SESSION_MEMBERSHIP),
                child_id=session.get(SESSION_CHILD),
                ip_address=client_ip(request),
            )

        request.actor = SimpleLazyObject(build)
        return self.get_response(request)
