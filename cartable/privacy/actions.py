"""Every write of the privacy centre: keyword-only, atomic, audited."""

from __future__ import annotations

import tempfile
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models as django_models
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.core import audit, authz, dates, erasure, registry, uploads
from cartable.core.notify import notify
from cartable.directory.actor import Actor
from cartable.directory.models import User
from cartable.directory.queries import direction_of
from cartable.privacy import archive
from cartable.privacy.models import KEPT_FOR, DataExport, Limitation, PrivacyRequest, add_months

FOLDER = "privacy/exports"


@transaction.atomic
def request_export(*, actor: Actor, subject: User) -> DataExport:
    """Queue the archive of ``subject``'s data (oneself, or a child one is legally responsible for).

    An archive of the same person already under way is returned instead of a second one."""
    authz.require(actor, "privacy.export_data", subject)
    under_way = (
        DataExport.objects.select_for_update()
        .filter(
            requested_by_id=actor.user_id,
            subject=subject,
            status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING],
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if under_way is not None:
        return under_way
    now = timezone.now()
    export = DataExport.objects.create(
        requested_by_id=actor.user_id,
        subject=subject,
        total=len(archive.providers()),
        created_at=now,
        expires_at=now + KEPT_FOR,
    )
    audit.record(actor=actor, verb="privacy.request_export", target=export, subject_id=subject.pk)

    def enqueue() -> None:
        from cartable.privacy.tasks import build_export

        build_export.enqueue(export.pk)

    transaction.on_commit(enqueue)
    return export


def build_export(export_id: int) -> DataExport:
    """Write the archive of a queued export (the background task), moving its progress provider by provider.

    The zip is written to a temporary file (bounded memory), then stored; the progress is committed as it
    goes so that the page's bar moves while the task runs."""
    claimed = DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.RUNNING
    )
    export = DataExport.objects.select_related("subject", "requested_by").get(pk=export_id)
    if not claimed:
        return export
    header = archive.header_for(
        subject=export.subject,
        requester=export.requested_by,
        created_at=export.created_at,
        expires_at=export.expires_at,
    )

    def step() -> None:
        DataExport.objects.filter(pk=export.pk).update(done=F("done") + 1)

    stored = ""
    try:
        with tempfile.TemporaryFile() as spool:
            files = archive.write_archive(spool, subject=export.subject, header=header, step=step)
            size = spool.tell()
            spool.seek(0)
            stored = default_storage.save(f"{FOLDER}/{export.pk}-{timezone.now():%Y%m%d%H%M%S}.zip", File(spool))
        with transaction.atomic():
            DataExport.objects.filter(pk=export.pk).update(
                status=DataExport.Status.DONE, file=stored, size=size, finished_at=timezone.now()
            )
            audit.record(
                actor=SimpleNamespace(user_id=export.requested_by_id, establishment_id=None, ip_address=None),
                verb="privacy.build_export",
                target=export,
                subject_id=export.subject_id,
                after={"files": files, "size": size},
            )
    except Exception as exc:
        uploads.delete_stored(stored)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:500]
        )
        raise
    export.refresh_from_db()
    return export


@transaction.atomic
def download_export(*, actor: Actor, export: DataExport) -> DataExport:
    """Record that the requester downloads their archive (the view then sends the file)."""
    authz.require(actor, authz.Action.VIEW, export)
    audit.record(actor=actor, verb="privacy.download_export", target=export, subject_id=export.subject_id)
    return export


@transaction.atomic
def purge_expired_exports(*, now=None) -> int:
    """Delete the archives past their seven days, and their files once the deletion commits."""
    expired = DataExport.objects.filter(expires_at__lte=now or timezone.now())
    names = list(expired.values_list("file", flat=True))
    count = expired.delete()[0]
    uploads.delete_after_commit(names)
    if count:
        audit.record(actor=None, verb="privacy.purge_exports", after={"deleted": count})
    return count


# --- requests to the DPO ------------------------------------------------------------------------------------
CNIL = gettext_lazy(
    "Si cette réponse ne vous satisfait pas, vous pouvez introduire une réclamation auprès de la CNIL "
    "(www.cnil.fr, article 12.4 du RGPD)."
)


def _establishment_of(actor: Actor, subject: User) -> int:
    """Where a request is handled: the active establishment for oneself, the child's for a child."""
    places: frozenset[int]
    if subject.pk == actor.user_id:
        places = frozenset() if actor.establishment_id is None else frozenset({actor.establishment_id})
    else:
        places = next((c.establishment_ids for c in actor.children if c.id == subject.pk), frozenset())
    if actor.establishment_id is not None and actor.establishment_id in places:
        return actor.establishment_id
    if not places:
        raise ValidationError(_("Aucun établissement ne traite vos données : écrivez directement à la région."))
    return min(places)


def _tell_requester(request: PrivacyRequest, title: str, body: str) -> None:
    notify(
        recipients=[request.requester_id],
        kind="privacy.request_updated",
        title=title,
        body=body,
        url=reverse("privacy:request", args=[request.pk]),
        target=request,
        establishment_id=request.establishment_id,
    )


@transaction.atomic
def submit_request(*, actor: Actor, subject: User, kind: str, body: str) -> PrivacyRequest:
    """Send a request to the DPO for oneself or a child one is legally responsible for (``PermissionDenied``
    otherwise); due one month after receipt. The establishment's head is told, the requester acknowledged."""
    authz.require(actor, "privacy.submit_request", subject)
    if kind not in PrivacyRequest.Kind.values or not body.strip():
        raise ValidationError(_("Choisissez le type de demande et décrivez-la."))
    now = timezone.now()
    request = PrivacyRequest.objects.create(
        establishment_id=_establishment_of(actor, subject),
        requester_id=actor.user_id,
        subject=subject,
        kind=kind,
        body=body.strip(),
        received_at=now,
        due_on=add_months(timezone.localtime(now).date(), 1),
    )
    audit.record(
        actor=actor,
        verb="privacy.submit_request",
        target=request,
        subject_id=subject.pk,
        after={"kind": kind},
        establishment_id=request.establishment_id,
    )
    url = reverse("privacy:request", args=[request.pk])
    notify(
        recipients=direction_of(request.establishment),
        kind="privacy.request_received",
        title=_("Nouvelle demande RGPD : %(kind)s") % {"kind": request.get_kind_display()},
        body=_("Réponse due le %(date)s.") % {"date": dates.date_long(request.due_on)},
        url=url,
        target=request,
        establishment_id=request.establishment_id,
    )
    _tell_requester(
        request,
        _("Votre demande a été reçue"),
        _("Elle sera traitée au plus tard le %(date)s.") % {"date": dates.date_long(request.due_on)},
    )
    return request


@transaction.atomic
def extend_request(*, actor: Actor, request: PrivacyRequest, reason: str) -> PrivacyRequest:
    """Extend the answer's delay by two months (art. 12(3)): once, within the first month, with the reason
    told to the person."""
    authz.require(actor, authz.Action.CHANGE, request)
    if request.status != PrivacyRequest.Status.RECEIVED:
        raise ValidationError(_("Le délai d'une demande ne se prolonge qu'une fois, tant qu'elle est ouverte."))
    if timezone.localdate() > request.first_due_on:
        raise ValidationError(_("Le délai ne se prolonge que dans le premier mois après la réception."))
    if not reason.strip():
        raise ValidationError(_("Dites à la personne pourquoi le délai est prolongé."))
    request.status = PrivacyRequest.Status.EXTENDED
    request.extension_reason = reason.strip()
    request.extended_at = timezone.now()
    request.due_on = add_months(timezone.localtime(request.received_at).date(), 3)
    request.save(update_fields=["status", "extension_reason", "extended_at", "due_on"])
    audit.record(
        actor=actor,
        verb="privacy.extend_request",
        target=request,
        subject_id=request.subject_id,
        after={"due_on": request.due_on.isoformat()},
        establishment_id=request.establishment_id,
    )
    _tell_requester(
        request,
        _("Le délai de réponse à votre demande est prolongé"),
        _("Réponse au plus tard le %(date)s. Raison : %(reason)s")
        % {"date": dates.date_long(request.due_on), "reason": request.extension_reason},
    )
    return request


@transaction.atomic
def answer_request(*, actor: Actor, request: PrivacyRequest, decision: str, reply: str) -> PrivacyRequest:
    """Close a request: granted, partly granted or refused; the latter two with reasons and the right to
    complain to the CNIL (art. 12(4)), told to the person."""
    authz.require(actor, authz.Action.CHANGE, request)
    closing = {PrivacyRequest.Status.GRANTED, PrivacyRequest.Status.PARTLY, PrivacyRequest.Status.REFUSED}
    if not request.is_open:
        raise ValidationError(_("Cette demande a déjà reçu sa réponse."))
    if decision not in closing:
        raise ValidationError(_("Choisissez la réponse."))
    if decision != PrivacyRequest.Status.GRANTED and not reply.strip():
        raise ValidationError(_("Un refus, même partiel, dit ses raisons."))
    request.status = decision
    request.reply = reply.strip()
    request.closed_at = timezone.now()
    request.handled_by_id = actor.user_id
    request.save(update_fields=["status", "reply", "closed_at", "handled_by"])
    audit.record(
        actor=actor,
        verb="privacy.answer_request",
        target=request,
        subject_id=request.subject_id,
        after={"decision": decision},
        establishment_id=request.establishment_id,
    )
    body = request.reply
    if decision != PrivacyRequest.Status.GRANTED:
        body = f"{body}\n\n{CNIL}"
    _tell_requester(
        request, _("Réponse à votre demande : %(decision)s") % {"decision": request.get_status_display()}, body
    )
    if decision == PrivacyRequest.Status.GRANTED:
        # After the notice: a person erasing their own account loses that notice with the rest.
        _carry_out(actor=actor, request=request)
    return request


def _carry_out(*, actor: Actor, request: PrivacyRequest) -> None:
    """A granted erasure erases the person; a granted limitation freezes their data. The other rights are
    carried out by hand (a rectification in the app concerned) and answered."""
    if request.kind == PrivacyRequest.Kind.ERASURE:
        _erase(actor=actor, person=request.subject, reason=_("Demande d'effacement accordée (art. 17)"))
    elif request.kind == PrivacyRequest.Kind.LIMITATION:
        _limit(actor=actor, person=request.subject, request=request, reason=request.body)


# --- erasing a person, limiting their processing -------------------------------------------------------------
class Limited(ValidationError):
    """The person's processing is limited: nothing of theirs is erased while it lasts."""


def is_erased(person: User) -> bool:
    """Whether the directory has already anonymised the account (``efface-<id>``)."""
    return person.username == f"efface-{person.pk}"


def _providers_in_erasure_order() -> list[registry.DataProvider]:
    """Every provider, the person's own row last: the others find their rows through it."""
    user_model = User._meta.concrete_model
    return sorted(registry.data_providers().values(), key=lambda p: (p.model is user_model, p.model._meta.label))


def _still_stored(names: set[str]) -> set[str]:
    """Those of ``names`` a row of some model's file field still points to (one query per file field)."""
    from django.apps import apps

    kept: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, django_models.FileField) and names:
                kept.update(
                    model._default_manager.filter(**{f"{model_field.name}__in": names}).values_list(
                        model_field.name, flat=True
                    )
                )
    return kept


def _erase(*, actor: Actor | None, person: User, reason: str) -> dict[str, int]:
    if Limitation.objects.filter(subject=person, lifted_at__isnull=True).exists():
        raise Limited(_("Le traitement des données de cette personne est limité : rien n'en est effacé."))
    if is_erased(person):
        return {}
    names: set[str] = set()
    providers = _providers_in_erasure_order()
    for provider in providers:
        if provider.files is not None:
            names.update(stored for _name, stored in provider.files(person))
    counts: dict[str, int] = {}
    for provider in providers:
        erase = provider.erase
        assert not isinstance(erase, str)  # registration turns a dotted path into an ErasureAction
        rows = erase(person, actor=actor)
        counts[provider.model._meta.label] = int(rows or 0)
    gone = names - _still_stored(names)
    uploads.delete_after_commit(sorted(gone))
    audit.record(
        actor=actor,
        verb="privacy.erase_person",
        target=person,
        subject_id=person.pk,
        after={"reason": reason, "rows": sum(counts.values()), "files": len(gone)},
    )
    return counts


@transaction.atomic
def erase_person(*, actor: Actor | None, person: User, reason: str) -> dict[str, int]:
    """Erase or anonymise everything the data providers hold on ``person``, in one transaction.

    Each provider's erase action runs (one audit row ``<app>.erase_personal_data`` each, with its rows), the
    directory's anonymisation of the account last; the files no row points to any more are removed after
    commit; ``privacy.erase_person`` sums it up with ``reason``. ``actor`` None is the account rule's job;
    a person may be erased by the region's DPO (``privacy.erase_person``) and by a granted request. Refused
    (``Limited``) while the person's processing is limited; a second run changes nothing. Returns the rows
    changed per model."""
    if actor is not None:
        authz.require(actor, "privacy.erase_person", person)
    return _erase(actor=actor, person=person, reason=reason)


def _limit(*, actor: Actor, person: User, request: PrivacyRequest | None, reason: str) -> Limitation:
    current = Limitation.objects.select_for_update().filter(subject=person, lifted_at__isnull=True).first()
    if current is not None:
        return current
    limitation = Limitation.objects.create(subject=person, request=request, reason=reason.strip())
    audit.record(
        actor=actor,
        verb="privacy.limit_processing",
        target=limitation,
        subject_id=person.pk,
        establishment_id=request.establishment_id if request else None,
    )
    return limitation


@transaction.atomic
def lift_limitation(*, actor: Actor, limitation: Limitation) -> Limitation:
    """End a limitation (its handler, once the person has been told, art. 18(3)); the data is processed again."""
    request = limitation.request
    if request is not None:
        authz.require(actor, authz.Action.CHANGE, request)
    else:
        authz.require(actor, "privacy.erase_person", limitation.subject)
    if limitation.lifted_at is None:
        limitation.lifted_at = timezone.now()
        limitation.lifted_by_id = actor.user_id
        limitation.save(update_fields=["lifted_at", "lifted_by"])
        audit.record(actor=actor, verb="privacy.lift_limitation", target=limitation, subject_id=limitation.subject_id)
    return limitation


def apply_retention(*, now=None) -> dict[str, int]:
    """The periodic job: every retention rule, each batch its own transaction (the account rule is the account
    life cycle's job, ``provisioning.purge_leavers``)."""
    from cartable.privacy import retention

    return retention.apply(now)


# --- erasure of a person's data (named by the data providers in hooks.py) ------------------------------
def _delete_exports(model: type[django_models.Model], user: User) -> int:
    rows = DataExport.objects.filter(Q(requested_by=user) | Q(subject=user))
    uploads.delete_after_commit(rows.values_list("file", flat=True))
    return rows.delete()[0]


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    DataExport: _delete_exports,
    # A closed request is kept three years to prove the answer (its retention rule), even once the person is
    # erased (art. 17(3)(b)); an open one goes with them.
    PrivacyRequest: erasure.RowsRule(
        erasure.each(
            erasure.delete("requester", "subject", status__in=PrivacyRequest.OPEN), erasure.unlink("handled_by")
        ),
        erasure.delete("requester").rows,  # past its three years, a closed request goes whole
    ),
    Limitation: erasure.each(erasure.delete("subject"), erasure.unlink("lifted_by")),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="privacy", rules=ERASURE, user=user, model=model, actor=actor)
