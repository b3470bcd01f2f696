"""Background work of the services: single logout to the services of an ended session, the tickets' purge."""

from __future__ import annotations

import logging

from django.tasks import task

from cartable.sso import actions, cas, queries

log = logging.getLogger(__name__)


@task
def single_logout(session_key: str) -> int:
    """Tell every service the session signed in to that it has ended (SAML LogoutRequest, SessionIndex =
    the service ticket); returns how many answered. The session's tickets are forgotten first."""
    told = 0
    for service_url, user, session_index in actions.end_cas_session(session_key=session_key):
        if cas.post_logout(service_url=service_url, user=user, session_index=session_index):
            told += 1
        else:
            log.info("single logout: %s did not answer", service_url)
    return told


@task
def purge_tickets() -> int:
    """Delete expired CAS tickets and signed-in services older than any session."""
    return actions.purge_expired_tickets()


def on_logged_out(sender, request, user, **kwargs) -> None:
    """Django's ``user_logged_out``: queue the single logout of the session that ends (every way out:
    Cartable's page, /cas/logout, an expired session)."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key and queries.session_signed_in(session_key):
        single_logout.enqueue(session_key)
