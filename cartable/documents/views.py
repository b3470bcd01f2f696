"""The pages of « Mes documents »: a folder, a file, the trash, « Partagés avec moi », sharing and quotas."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from cartable.core import authz, uploads
from cartable.core.authz import Action
from cartable.core.http import search_query
from cartable.core.views import require_module
from cartable.documents import actions, queries, zips
from cartable.documents.forms import DestinationForm, NameForm, QuotaForm, ShareForm, UploadForm, VersionForm
from cartable.documents.models import Folder, Share, Version
from cartable.messaging.queries import picker


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    """Render a page of the space, with the gauge every page shows."""
    authz.require_or_404(request.actor, "documents.use_space", None)
    actor = request.actor
    context |= {
        "gauge": queries.gauge(actor),
        "can_set_quotas": authz.can(actor, "documents.set_quotas", queries.quota_establishment(actor)),
    }
    return render(request, template, context, status=status)


def _item(request, kind: str, pk: int, action: str):
    if kind == "folder":
        return authz.access(request.actor, queries.folder_queryset(), pk, action)
    return authz.access(request.actor, queries.document_queryset(), pk, action)


def _back(item):
    if item is None:
        return redirect("documents:index")
    if item.hidden:
        return redirect("documents:trash")
    name = "documents:folder" if isinstance(item, Folder) else "documents:document"
    return redirect(name, pk=item.pk)


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_GET
@require_module("documents")
def folder(request, pk: int | None = None) -> HttpResponse:
    """A folder of one's space (the root when no ``pk``) or of a space shared with one."""
    actor = request.actor
    found = _item(request, "folder", pk, Action.VIEW) if pk is not None else None
    if found is not None and found.hidden:
        return redirect("documents:trash")
    context = {
        "listing": queries.listing(actor, found),
        "upload_form": UploadForm(),
        "folder_form": NameForm(),
        "can_upload": found is None or authz.can(actor, "documents.contribute", found),
        "can_manage": found is None or authz.allows(actor, Action.MANAGE, found),
        "item": found,
        "kind": "folder",
        "targets": DestinationForm(targets=queries.move_targets(actor, found)) if found else None,
    }
    return _page(request, "documents/folder.html", context)


@require_GET
@require_module("documents")
def document(request, pk: int) -> HttpResponse:
    """A file: its versions, a player for audio and video, and what its owner or a contributor may do."""
    actor = request.actor
    found = _item(request, "document", pk, Action.VIEW)
    if found.hidden:
        return redirect("documents:trash")
    can_manage = authz.allows(actor, Action.MANAGE, found)
    context = {
        "item": found,
        "kind": "document",
        "versions": queries.versions(found),
        "can_manage": can_manage,
        "can_add_version": authz.allows(actor, Action.CHANGE, found),
        "version_form": VersionForm(),
        "targets": DestinationForm(targets=queries.move_targets(actor)) if can_manage else None,
        "player": found.current.content_type.split("/")[0] if found.current else "",
        "preview": found.current.preview_state if found.current else "",
    }
    return _page(request, "documents/document.html", context)


@require_GET
@require_module("documents")
def download(request, pk: int, version_id: int | None = None) -> HttpResponseBase:
    """A file's current version (or an earlier one), checked on every request, with HTTP Range for players."""
    found = _item(request, "document", pk, Action.VIEW)
    version = found.current
    if version_id is not None:
        version = authz.access(request.actor, Version.objects.filter(document=found), version_id, Action.VIEW)
    if version is None:
        raise Http404
    return uploads.serve_file(
        request, version.file, filename=found.name, content_type=version.content_type, inline=True
    )


@require_GET
@require_module("documents")
def preview(request, pk: int) -> HttpResponseBase:
    """The current version's preview (a PNG the worker drew), checked like every download."""
    found = _item(request, "document", pk, Action.VIEW)
    version = found.current
    if version is None or version.preview_state != Version.Preview.READY:
        raise Http404
    name = f"{found.name}.png"
    return uploads.serve_file(request, version.preview, filename=name, content_type="image/png", inline=True)


@require_POST
@require_module("documents")
def upload(request, pk: int | None = None) -> HttpResponse:
    """Add the files chosen or dropped to a folder; each refused file is named with its reason."""
    found = _item(request, "folder", pk, "documents.contribute") if pk is not None else None
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _refused(request, ValidationError(list(form.errors.get("files") or [_("Choisissez au moins un fichier.")])))
        return _back(found)
    for message in form.refused:
        messages.error(request, message)
    sent = 0
    for checked in form.cleaned_data["files"]:
        try:
            actions.upload_file(actor=request.actor, folder=found, checked=checked)
            sent += 1
        except ValidationError as error:
            _refused(request, error)
    if sent:
        messages.success(
            request, ngettext("%(count)s fichier ajouté.", "%(count)s fichiers ajoutés.", sent) % {"count": sent}
        )
    return _back(found)


@require_POST
@require_module("documents")
def create_folder(request, pk: int | None = None) -> HttpResponse:
    """A new folder in one's space."""
    parent = _item(request, "folder", pk, Action.MANAGE) if pk is not None else None
    form = NameForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Donnez un nom."))
        made = actions.create_folder(actor=request.actor, parent=parent, name=form.cleaned_data["name"])
    except ValidationError as error:
        _refused(request, error)
        return _back(parent)
    messages.success(request, _("Le dossier %(name)s est créé.") % {"name": made.name})
    return _back(made)


@require_POST
@require_module("documents")
def new_version(request, pk: int) -> HttpResponse:
    """« Nouvelle version » of a file, by its owner or a contributor."""
    found = _item(request, "document", pk, Action.CHANGE)
    form = VersionForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError([m for errors in form.errors.values() for m in errors])
        version = actions.add_version(actor=request.actor, document=found, checked=form.cleaned_data["file"])
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Version %(number)s ajoutée.") % {"number": version.number})
    return _back(found)


@require_POST
@require_module("documents")
def restore_version(request, pk: int, version_id: int) -> HttpResponse:
    """Make an earlier version current again (as a new version)."""
    found = _item(request, "document", pk, Action.CHANGE)
    version = authz.access(request.actor, Version.objects.filter(document=found), version_id, Action.VIEW)
    try:
        actions.restore_version(actor=request.actor, version=version)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("La version %(number)s est rétablie.") % {"number": version.number})
    return _back(found)


# The owner's operations on a folder or a file, one view each; ``kind`` comes from the URL.
@require_POST
@require_module("documents")
def operate(request, kind: str, pk: int, op: str) -> HttpResponse:
    """Rename, move, copy, trash, restore or delete for good a folder or a file of one's space."""
    actor = request.actor
    item = _item(request, kind, pk, Action.MANAGE)
    try:
        if op == "rename":
            form = NameForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Donnez un nom."))
            result = actions.rename(actor=actor, item=item, name=form.cleaned_data["name"])
        elif op in ("move", "copy"):
            dest = DestinationForm(request.POST, targets=queries.move_targets(actor, item if op == "move" else None))
            if not dest.is_valid():
                raise ValidationError(_("Choisissez un dossier."))
            act = actions.move if op == "move" else actions.copy
            result = act(actor=actor, item=item, to=dest.cleaned_data["to"])
        elif op == "delete":
            actions.delete_for_good(actor=actor, item=item)
            messages.success(request, _("%(name)s est supprimé définitivement.") % {"name": item.name})
            return redirect("documents:trash")
        else:
            result = {"trash": actions.trash, "restore": actions.restore}[op](actor=actor, item=item)
    except ValidationError as error:
        _refused(request, error)
        return _back(item)
    messages.success(request, OPERATION_DONE[op] % {"name": result.name})
    return _back(result)


OPERATION_DONE = {
    "rename": gettext_lazy("%(name)s est renommé."),
    "move": gettext_lazy("%(name)s est déplacé."),
    "copy": gettext_lazy("La copie %(name)s est créée."),
    "trash": gettext_lazy("%(name)s est mis à la corbeille. Vous pouvez l'en sortir pendant 30 jours."),
    "restore": gettext_lazy("%(name)s est sorti de la corbeille."),
}


@require_GET
@require_module("documents")
def trash(request) -> HttpResponse:
    """The trash: what one put there, restorable for 30 days."""
    folders, documents = queries.trash(request.actor)
    return _page(request, "documents/trash.html", {"folders": folders, "documents": documents})


@require_POST
@require_module("documents")
def empty_trash(request) -> HttpResponse:
    """Delete everything in one's trash."""
    actions.empty_trash(actor=request.actor)
    messages.success(request, _("La corbeille est vidée."))
    return redirect("documents:trash")


@require_GET
@require_module("documents")
def shared(request) -> HttpResponse:
    """« Partagés avec moi »: what others share with one, by whom."""
    return _page(request, "documents/shared.html", {"shares": queries.shared_with_me(request.actor)})


@require_module("documents")
def share(request, kind: str, pk: int) -> HttpResponse:
    """Share a folder or a file: people found by name (with the rules' decision), classes, groups, staff."""
    actor = request.actor
    item = _item(request, kind, pk, Action.MANAGE)
    form = ShareForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(_("Choisissez avec qui partager."))
            grantee_kind, grantee_id = form.cleaned_data["grantee"]
            level = form.cleaned_data["level"]
            actions.share(actor=actor, item=item, kind=grantee_kind, grantee_id=grantee_id, level=level)
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            messages.success(request, _("%(name)s est partagé.") % {"name": item.name})
            return redirect(request.path)
    search = search_query(request, limit=100)
    people = [c for c in picker(actor, search=search) if c.person_id] if search else []
    context = {"item": item, "kind": kind, "form": form, "search": search, "people": people}
    context |= {"shares": queries.shares_of(item), "choices": queries.share_choices(actor)}
    return _page(request, "documents/share.html", context, status=status)


@require_POST
@require_module("documents")
def revoke(request, pk: int) -> HttpResponse:
    """Stop a share at once."""
    found = authz.access(request.actor, Share.objects.select_related("folder", "document"), pk, Action.DELETE)
    target = found.folder or found.document
    actions.revoke_share(actor=request.actor, share=found)
    messages.success(request, _("Le partage est retiré."))
    return redirect("documents:share_folder" if found.folder_id else "documents:share_document", pk=target.pk)


@require_module("documents")
def quotas(request) -> HttpResponse:
    """The quotas: the region's ceilings for the region, an establishment's values for its direction and ENT
    administrators."""
    actor = request.actor
    establishment = queries.quota_establishment(actor)
    authz.require_or_404(actor, "documents.set_quotas", establishment)
    rows = queries.quota_table(establishment)
    form = QuotaForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_quotas(actor=actor, establishment=establishment, values=form.sizes())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Les quotas sont enregistrés."))
            return redirect("documents:quotas")
    context = {"form": form, "rows": rows, "establishment": establishment}
    return render(request, "documents/quotas.html", context, status=400 if form.errors else 200)


@require_GET
@require_module("documents")
def search(request) -> HttpResponse:
    """Search the names of one's files and of what is shared with one, accents aside."""
    words = search_query(request, limit=100)
    folders, documents = queries.search(request.actor, words)
    context = {"name_search": words, "folders": folders, "documents": documents}
    return _page(request, "documents/search.html", context)


@require_GET
@require_module("documents")
def download_zip(request, pk: int) -> HttpResponseBase:
    """A folder as a zip, streamed; checked like every download."""
    found = _item(request, "folder", pk, Action.VIEW)
    if found.hidden:
        raise Http404
    response = StreamingHttpResponse(zips.stream(found), content_type="application/zip")
    response["Content-Disposition"] = uploads.content_disposition(f"{uploads._bare_name(found.name) or 'dossier'}.zip")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
