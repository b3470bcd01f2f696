"""The resumable upload protocol's three requests (see ``resumable.py``): start, resume, send a chunk."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.documents import queries, resumable
from cartable.documents.models import UploadSession


def _error(error: ValidationError, status: int) -> JsonResponse:
    return JsonResponse({"error": " ".join(error.messages)}, status=status)


@require_POST
@require_module("documents")
def start(request) -> JsonResponse:
    """Declare a file (name, size, folder): 201 with where to send it, or 413 with the reason, nothing sent."""
    actor = request.actor
    folder_id = request.POST.get("folder") or None
    folder = authz.access(actor, queries.folder_queryset(), folder_id, "documents.contribute") if folder_id else None
    size = request.POST.get("size", "")
    try:
        session = resumable.start_upload(
            actor=actor, folder=folder, name=request.POST.get("name", ""), size=int(size) if size.isdigit() else 0
        )
    except ValidationError as error:
        return _error(error, 413)
    url = reverse("documents:upload_chunk", args=[session.pk])
    return JsonResponse({"url": url, "offset": 0, "chunk_size": resumable.CHUNK_SIZE}, status=201)


@require_http_methods(["GET", "HEAD", "PATCH"])
@require_module("documents")
def chunk(request, pk: int) -> JsonResponse:
    """GET: the server's offset, to resume. PATCH (``Upload-Offset``): the next bytes; the last ones make the file."""
    actor = request.actor
    session = authz.access(actor, UploadSession.objects.select_related("folder"), pk, Action.CHANGE)
    if request.method != "PATCH":
        return JsonResponse({"offset": session.received, "size": session.size})
    offset = request.headers.get("Upload-Offset", "")
    try:
        document = resumable.append_chunk(
            actor=actor,
            session=session,
            offset=int(offset) if offset.isdigit() else -1,
            data=request.read(resumable.CHUNK_SIZE + 1),
        )
    except ValidationError as error:
        if error.code == "offset":
            return JsonResponse({"offset": UploadSession.objects.get(pk=session.pk).received}, status=409)
        if error.code != "chunk":  # the whole file was refused (its type, the room left): start again
            resumable.abandon_upload(actor=actor, session=session)
        return _error(error, 413 if error.code in ("quota", "too_large") else 400)
    if document is None:
        return JsonResponse({"offset": session.received, "size": session.size})
    messages.success(request, _("%(name)s est ajouté.") % {"name": document.name})
    url = reverse("documents:document", args=[document.pk])
    return JsonResponse({"offset": session.size, "done": True, "url": url})
