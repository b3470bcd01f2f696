"""Background work of the documents: emptying the trashes of what has been there for 30 days."""

from __future__ import annotations

from django.tasks import task


@task
def purge_trash() -> int:
    """Delete what has been in a trash for more than 30 days, with its files, and uploads left for a day."""
    from cartable.documents.actions import purge_trash as purge
    from cartable.documents.resumable import purge_stale_uploads

    return purge() + purge_stale_uploads()
