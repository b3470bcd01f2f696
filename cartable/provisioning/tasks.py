"""Background work of provisioning: an uploaded set imported by the worker."""

from __future__ import annotations

from django.tasks import task


@task
def run_import(run_id: int) -> str:
    """Import the files uploaded for a run; returns its outcome."""
    from cartable.provisioning.actions import run_requested

    return run_requested(run_id).outcome
