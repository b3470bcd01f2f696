"""Background work of provisioning: an uploaded set imported by the worker, a class's activation letters,
the daily purge of the accounts whose entitlement ended three months ago."""

from __future__ import annotations

from django.tasks import task


@task
def run_import(run_id: int) -> str:
    """Import the files uploaded for a run; returns its outcome."""
    from cartable.provisioning.actions import run_requested

    return run_requested(run_id).outcome


@task
def purge_leavers() -> int:
    """Erase the accounts whose last membership ended three months ago (the daily job); returns how many."""
    from cartable.provisioning.actions import purge_leavers as purge

    return purge().erased


@task
def build_letters(batch_id: int) -> str:
    """Build a class's activation letters (new codes, then the PDF); returns the batch's status."""
    from cartable.provisioning.actions import build_letters as build

    return build(batch_id).status


@task
def purge_expired_letters() -> int:
    """Delete the letters past their day (and their PDFs)."""
    from cartable.provisioning.actions import purge_expired_letters as purge

    return purge()
