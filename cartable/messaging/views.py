"""The messaging's pages: the mailbox, writing (with the recipient picker), a thread, "pourquoi ?", abuse
reports and the communication rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from cartable.core import authz, french, uploads
from cartable.core.authz import Action
from cartable.core.http import search_query
from cartable.core.views import require_module
from cartable.directory.actor import Actor
from cartable.messaging import actions, queries
from cartable.messaging.forms import ComposeForm, FolderForm, ReportCloseForm, ReportForm
from cartable.messaging.models import Folder, MailboxEntry, Message, Reach, Report
from cartable.messaging.rules import RULE_ROLES, simulate

Box = MailboxEntry.Box
MODULE = "messaging"
ATTACHMENT_TYPES = uploads.ALL
MAX_FILES = 5
BOXES = {
    "inbox": (Box.INBOX, gettext_lazy("Boîte de réception")),
    "sent": (Box.SENT, gettext_lazy("Envoyés")),
    "drafts": (Box.DRAFTS, gettext_lazy("Brouillons")),
    "trash": ("trash", gettext_lazy("Corbeille")),
}


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def _nav(actor: Actor) -> dict[str, Any]:
    return {
        "folders": queries.folders(actor),
        "can_handle_reports": authz.can(actor, "messaging.handle_reports"),
        "can_edit_rules": authz.can(actor, "messaging.edit_rules", actor.establishment),
    }


@require_GET
@require_module(MODULE)
def mailbox(request, box: str = "inbox", folder_id: int | None = None) -> HttpResponse:
    """A box of one's mailbox, one of one's folders, or a search over one's messages (``?q=``)."""
    actor = request.actor
    folder = authz.access(actor, Folder, folder_id, Action.VIEW) if folder_id is not None else None
    if box not in BOXES:
        raise Http404
    search = search_query(request, limit=200)
    page = queries.mailbox(actor, box=BOXES[box][0], folder=folder, search=search, page=_page_number(request))
    title = _("Recherche : %(q)s") % {"q": search} if search else (folder.name if folder else str(BOXES[box][1]))
    context = {
        "box": box,
        "folder": folder,
        "search": search,
        "page": page,
        "title": title,
        "show_recipients": box in ("sent", "drafts"),
        **_nav(actor),
    }
    return render(request, "messaging/mailbox.html", context)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _delete_for_good(request, actor: Actor, entries: list[MailboxEntry]) -> None:
    n = actions.delete_for_good(actor=actor, entries=entries)
    messages.success(
        request,
        ngettext(
            "%(n)s message est supprimé de votre messagerie.",
            "%(n)s messages sont supprimés de votre messagerie.",
            n,
        )
        % {"n": n},
    )


def _trash(request, actor: Actor, entries: list[MailboxEntry]) -> None:
    actions.trash(actor=actor, entries=entries)
    messages.success(request, _("Les messages sont dans la corbeille."))


def _restore(request, actor: Actor, entries: list[MailboxEntry]) -> None:
    actions.restore(actor=actor, entries=entries)
    messages.success(request, _("Les messages sont restaurés."))


def _move(request, actor: Actor, entries: list[MailboxEntry]) -> None:
    folder_id = request.POST.get("folder", "")
    folder = authz.access(actor, Folder, folder_id, Action.CHANGE) if folder_id else None
    actions.move(actor=actor, entries=entries, folder=folder)
    messages.success(request, _("Les messages sont classés."))


BULK_OPS = {
    "read": lambda request, actor, entries: actions.mark_read(actor=actor, entries=entries),
    "unread": lambda request, actor, entries: actions.mark_read(actor=actor, entries=entries, read=False),
    "trash": _trash,
    "restore": _restore,
    "delete": _delete_for_good,
    "move": _move,
}


@require_POST
@require_module(MODULE)
def bulk(request) -> HttpResponse:
    """Act on messages of one's mailbox: read, unread, to a folder, to the trash, back, deleted for good."""
    actor = request.actor
    entries = queries.entries_of(actor, (int(i) for i in request.POST.getlist("entry") if i.isdigit()))
    back = _safe_next(request, reverse("messaging:inbox"))
    if not entries:
        messages.error(request, _("Cochez au moins un message."))
        return redirect(back)
    op = BULK_OPS.get(request.POST.get("op", ""))
    if op is None:
        raise Http404
    op(request, actor, entries)
    return redirect(back)


@require_POST
@require_module(MODULE)
def folder_create(request) -> HttpResponse:
    form = FolderForm(request.POST)
    if form.is_valid():
        try:
            folder = actions.create_folder(actor=request.actor, name=form.cleaned_data["name"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Le dossier est créé."))
            return redirect("messaging:folder", folder_id=folder.pk)
    else:
        messages.error(request, _("Donnez un nom au dossier."))
    return redirect("messaging:inbox")


@require_POST
@require_module(MODULE)
def folder_delete(request, folder_id: int) -> HttpResponse:
    folder = authz.access(request.actor, Folder, folder_id, Action.DELETE)
    actions.delete_folder(actor=request.actor, folder=folder)
    messages.success(request, _("Le dossier est supprimé ; ses messages sont revenus dans leur boîte."))
    return redirect("messaging:inbox")


# --- writing ---------------------------------------------------------------------------------------------
def _sent(actor: Actor, pk: Any) -> Message:
    return authz.access(actor, queries.sent_messages(), pk, Action.VIEW)


@dataclass
class Writing:
    """What a message being written answers or continues: a draft, a message replied to or forwarded."""

    draft: Message | None = None
    parent: Message | None = None
    forward_of: Message | None = None


def _writing(actor: Actor, source: QueryDict) -> Writing:
    """The draft, the message replied to or the one forwarded, named by the page's address or form."""
    if source.get("brouillon"):
        draft = authz.access(actor, queries.drafts(), source["brouillon"], Action.CHANGE)
        return Writing(draft=draft, parent=draft.parent)
    if source.get("repondre"):
        return Writing(parent=_sent(actor, source["repondre"]))
    if source.get("transferer"):
        return Writing(forward_of=_sent(actor, source["transferer"]))
    return Writing()


def _prefill(request, actor: Actor, writing: Writing) -> tuple[dict[str, str], list[str]]:
    parent, forward_of, draft = writing.parent, writing.forward_of, writing.draft
    if draft is not None:
        return {"subject": draft.subject, "body": draft.body}, list(draft.recipient_keys)
    if parent is not None:
        subject = parent.subject if parent.subject.startswith(_("RE :")) else _("RE : %(s)s") % {"s": parent.subject}
        keys = [f"u:{parent.sender_id}"] if parent.sender_id != actor.user_id else []
        if parent.sender_id == actor.user_id or request.GET.get("tous"):
            others = [pid for pid in parent.recipient_ids if pid != actor.user_id][: queries.RECEIPTS_MAX]
            keys += [f"u:{pid}" for pid in others if f"u:{pid}" not in keys]
        return {"subject": subject}, keys
    if forward_of is not None:
        quoted = _("<p>---- Message transféré %(name)s ----</p>") % {"name": french.de(forward_of.sender.display_name)}
        return {"subject": _("TR : %(s)s") % {"s": forward_of.subject}, "body": quoted + forward_of.body}, []
    person = request.GET.get("a", "")
    return {}, [f"u:{person}"] if person.isdigit() else []


def _checked_files(form: Form) -> list[uploads.CheckedFile]:
    files = form.cleaned_data.get("files") or []
    if len(files) > MAX_FILES:
        raise ValidationError(_("Joignez au plus %(n)s fichiers.") % {"n": MAX_FILES})
    return [uploads.validate_upload(f, allowed=ATTACHMENT_TYPES) for f in files]


def _posted_form(request, op: str) -> ComposeForm:
    if op == "search":  # the picker without JavaScript: show the matches, keep what was typed
        return ComposeForm(initial={"subject": request.POST.get("subject", ""), "body": request.POST.get("body", "")})
    return ComposeForm(request.POST, request.FILES)


def _announce_sent(request, recipients: actions.Recipients) -> None:
    n = len(recipients.ids)
    messages.success(
        request,
        ngettext("Le message est envoyé à %(n)s personne.", "Le message est envoyé à %(n)s personnes.", n) % {"n": n},
    )
    if recipients.left_out:
        messages.info(
            request,
            ngettext(
                "%(n)s personne des groupes choisis n'a pas reçu le message : les règles de "
                "communication ne vous permettent pas de lui écrire.",
                "%(n)s personnes des groupes choisis n'ont pas reçu le message : les règles de "
                "communication ne vous permettent pas de leur écrire.",
                recipients.left_out,
            )
            % {"n": recipients.left_out},
        )


def _write(request, form: ComposeForm, keys: list[str], op: str, writing: Writing) -> HttpResponse | list:
    """Save the draft or send the message; the page to go to, or the refused recipients (errors on the form)."""
    actor = request.actor
    try:
        common = {
            "actor": actor,
            "subject": form.cleaned_data["subject"],
            "body": form.cleaned_data["body"],
            "keys": keys,
            "draft": writing.draft,
            "checked_files": _checked_files(form),
            "parent": writing.parent,
            "forward_of": writing.forward_of,
        }
        if op == "draft":
            saved = actions.save_draft(**common)
            messages.success(request, _("Le brouillon est enregistré."))
            return redirect(f"{reverse('messaging:compose')}?brouillon={saved.pk}")
        sent, recipients = actions.send_message(**common)
    except ValidationError as error:
        form.add_error("files", error)
    except actions.RecipientsRefused as error:
        form.add_error(None, error.message)
        return error.refused
    except PermissionDenied:
        form.add_error(None, _("Ce choix de destinataires n'est pas possible."))
    else:
        _announce_sent(request, recipients)
        return redirect("messaging:thread", pk=sent.thread_root_id)
    return []


@require_module(MODULE)
def compose(request) -> HttpResponse:
    """Write a message (new, reply, reply to all, forward, or a draft); the picker searches the people and
    groups one may write to, and says why for those one may not."""
    actor = request.actor
    source = request.POST if request.method == "POST" else request.GET
    writing = _writing(actor, source)
    refused: list = []
    if request.method == "POST":
        keys = request.POST.getlist("to")
        op = request.POST.get("op", "send")
        form = _posted_form(request, op)
        if op in ("send", "draft") and form.is_valid():
            outcome = _write(request, form, keys, op, writing)
            if isinstance(outcome, HttpResponseBase):
                return outcome
            refused = outcome
    else:
        initial, keys = _prefill(request, actor, writing)
        form = ComposeForm(initial=initial)
    search = source.get("q", "").strip()[:100]
    replying_to = writing.parent.sender_id if writing.parent is not None else None
    context = {
        "form": form,
        "candidates": queries.picker(actor, search=search, selected=keys, replying_to=replying_to),
        "search": search,
        "refused": refused,
        "draft": writing.draft,
        "parent": writing.parent,
        "forward_of": writing.forward_of,
        "status": 400 if refused or (form.is_bound and form.errors) else 200,
    }
    return render(request, "messaging/compose.html", context, status=context["status"])


@require_GET
@require_module(MODULE)
def picker(request) -> HttpResponse:
    """The picker's results for htmx: the choices made, then the matches of the search."""
    actor = request.actor
    search = search_query(request, limit=100)
    replying_to = None
    if request.GET.get("repondre"):
        replying_to = _sent(actor, request.GET["repondre"]).sender_id
    elif request.GET.get("brouillon"):
        draft = authz.access(actor, queries.with_parent(), request.GET["brouillon"], Action.CHANGE)
        replying_to = draft.parent.sender_id if draft.parent else None
    candidates = queries.picker(actor, search=search, selected=request.GET.getlist("to"), replying_to=replying_to)
    return render(request, "messaging/compose.html#picker", {"candidates": candidates, "search": search})


@require_GET
@require_module(MODULE)
def why(request, pk: int) -> HttpResponse:
    """Why one may (or may not) write to a person of one's establishments, and the rule that decides."""
    found = queries.explanation(request.actor, pk)
    if found is None:
        raise Http404
    person, decision = found
    return render(request, "messaging/why.html", {"person": person, "decision": decision})


# --- reading ---------------------------------------------------------------------------------------------
@require_GET
@require_module(MODULE)
def thread(request, pk: int) -> HttpResponse:
    """A conversation: the messages of the thread in one's mailbox; opening it marks them read."""
    actor = request.actor
    items = queries.thread(actor, pk)
    if not items:
        raise Http404
    unread = [i.entry for i in items if i.entry and i.entry.read_at is None]
    if unread:
        actions.mark_read(actor=actor, entries=unread)
    last = items[-1].message
    return render(
        request,
        "messaging/thread.html",
        {"items": items, "subject": items[0].message.subject, "last": last, "me": actor.user_id},
    )


@require_GET
@require_module(MODULE)
def attachment(request, pk: int) -> HttpResponseBase:
    """A file of a message, for the message's participants only."""
    found = authz.access(request.actor, queries.attachments(), pk, Action.VIEW)
    return uploads.serve_file(
        request, found.file, filename=found.original_name, content_type=found.content_type, inline=True
    )


@require_module(MODULE)
def report_create(request, pk: int) -> HttpResponse:
    """Report a message one received to its establishment's direction."""
    actor = request.actor
    message = _sent(actor, pk)
    authz.require_or_404(actor, "messaging.report", message)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.report_message(actor=actor, message=message, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, _("Merci : le message est signalé à la direction de l'établissement."))
            return redirect("messaging:thread", pk=message.thread_root_id)
    status = 400 if form.errors else 200
    return render(request, "messaging/report_form.html", {"form": form, "message": message}, status=status)


@require_GET
@require_module(MODULE)
def reports(request) -> HttpResponse:
    """The reports of the establishments whose direction or ENT administration one belongs to."""
    actor = request.actor
    authz.require_or_404(actor, "messaging.handle_reports", None)
    status = Report.Status.CLOSED if request.GET.get("etat") == "traites" else Report.Status.OPEN
    return render(
        request,
        "messaging/reports.html",
        {"reports": queries.reports(actor, status=status), "closed": status == Report.Status.CLOSED, **_nav(actor)},
    )


@require_module(MODULE)
def report(request, pk: int) -> HttpResponse:
    """One report, with the message reported; those who handle it close it saying what was done."""
    actor = request.actor
    found = authz.access(actor, queries.report_queryset(), pk, Action.VIEW)
    can_close = authz.can(actor, "messaging.close_report", found)
    form = ReportCloseForm(request.POST or None)
    if request.method == "POST":
        authz.require_or_404(actor, "messaging.close_report", found)
        if form.is_valid():
            actions.close_report(actor=actor, report=found, resolution=form.cleaned_data["resolution"])
            messages.success(request, _("Le signalement est traité."))
            return redirect("messaging:reports")
    return render(request, "messaging/report.html", {"report": found, "form": form, "can_close": can_close})


# --- the rules -------------------------------------------------------------------------------------------
def _posted_table(request) -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    for a in RULE_ROLES:
        for r in RULE_ROLES:
            value = request.POST.get(f"{a}__{r}")
            if value in Reach.values:
                table[(a, r)] = value
    return table


def _save_rules(request, establishment_id: int, table: dict[tuple[str, str], str]) -> bool:
    """Apply the posted table; whether it was (a refusal is told as a message)."""
    try:
        n = actions.set_rules(actor=request.actor, establishment_id=establishment_id, table=table)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(
        request,
        ngettext("%(n)s règle est modifiée.", "%(n)s règles sont modifiées.", n) % {"n": n}
        if n
        else _("Aucune règle n'a changé."),
    )
    return True


@require_module(MODULE)
def rules(request) -> HttpResponse:
    """Who may write to whom in the establishment; its ENT administrators change it, and may simulate a
    change before applying it."""
    actor = request.actor
    establishment_id = actor.establishment_id
    if establishment_id is None:
        raise Http404
    changes = None
    proposed: dict[tuple[str, str], str] = {}
    if request.method == "POST":
        authz.require_or_404(actor, "messaging.edit_rules", actor.establishment)
        proposed = _posted_table(request)
        if request.POST.get("op") != "save":
            changes = simulate(establishment_id, proposed)
        elif _save_rules(request, establishment_id, proposed):
            return redirect("messaging:rules")
    context = {
        "table": queries.rule_grid(establishment_id, proposed),
        "roles": queries.rule_roles(),
        "can_edit": authz.can(actor, "messaging.edit_rules", actor.establishment),
        "changes": changes,
        "simulated": changes is not None,
        "establishment": actor.establishment,
    }
    return render(request, "messaging/rules.html", context)
