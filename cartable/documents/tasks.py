"""Background work of the documents: emptying the trashes of what has been there for 30 days, drawing previews."""

from __future__ import annotations

from django.tasks import task


@task
def purge_trash() -> int:
    """Delete what has been in a trash for more than 30 days, with its files, and uploads left for a day."""
    from cartable.documents.actions import purge_trash as purge
    from cartable.documents.resumable import purge_stale_uploads

    return purge() + purge_stale_uploads()


@task
def make_preview(version_id: int) -> bool:
    """Draw one version's preview (a PDF's first page, an image re-encoded), bounded, out of any request."""
    from cartable.documents.actions import make_preview as draw

    return draw(version_id=version_id)
