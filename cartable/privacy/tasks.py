"""Background work of the privacy centre: building an archive, purging those past their seven days."""

from __future__ import annotations

from django.tasks import task


@task
def build_export(export_id: int) -> int:
    """Build the archive of one export; returns its size in bytes."""
    from cartable.privacy.actions import build_export as build

    return build(export_id).size


@task
def purge_expired_exports() -> int:
    """Delete the archives past their seven days (and their files)."""
    from cartable.privacy.actions import purge_expired_exports as purge

    return purge()


@task
def apply_retention() -> dict[str, int]:
    """Apply every registered retention rule (the account rule is ``provisioning.purge_leavers``)."""
    from cartable.privacy.actions import apply_retention as apply

    return apply()
