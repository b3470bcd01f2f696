"""Builds ``request.actor`` once per request; its rows load lazily, when a page asks."""

from django.utils.functional import SimpleLazyObject

from cartable.core.http import client_ip
from cartable.core.notify import CHILD_PARAM
from cartable.directory.actor import SESSION_CHILD, SESSION_MEMBERSHIP, Actor
from cartable.directory.policies import guardian_membership_for


class ActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        def build() -> Actor:
            session = getattr(request, "session", {})
            actor = Actor(
                request.user,
                membership_id=session.get(SESSION_MEMBERSHIP),
                child_id=session.get(SESSION_CHILD),
                ip_address=client_ip(request),
            )
            wanted = request.GET.get(CHILD_PARAM, "") if request.method == "GET" else ""
            if wanted.isdigit() and actor.is_authenticated and hasattr(session, "modified"):
                return _looking_at(actor, int(wanted), session)
            return actor

        request.actor = SimpleLazyObject(build)
        return self.get_response(request)


def _looking_at(actor: Actor, child_id: int, session) -> Actor:
    """A link naming one of the guardian's children (``?enfant=``, as notices' links do) opens the page on
    that child, as the header's child switcher would: through a guardian membership where the child is
    enrolled. Anyone else's id, or a person who is not that child's guardian, changes nothing."""
    child = next((c for c in actor.children if c.id == child_id), None)
    membership = guardian_membership_for(actor, child) if child is not None else None
    if membership is None:
        return actor
    if session.get(SESSION_MEMBERSHIP) != membership.pk or session.get(SESSION_CHILD) != child_id:
        session[SESSION_MEMBERSHIP] = membership.pk
        session[SESSION_CHILD] = child_id
    return actor.acting_as(membership.pk, child_id)
