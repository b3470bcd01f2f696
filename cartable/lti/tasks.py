"""Background work of the LTI platform: the purge of expired protocol rows."""

from __future__ import annotations

from django.tasks import task

from cartable.lti import actions


@task
def purge_expired() -> int:
    """Delete expired login hints, nonces and service tokens."""
    return actions.purge_expired()
