"""An import's report in words: counts per kind, warnings, errors with file and line, and (dry-run) the
difference itself, for the command line and the page."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cartable.provisioning.aaf.plan import Plan
from cartable.provisioning.models import KINDS, ImportRun

KIND_LABELS = {
    "establishments": gettext_lazy("Établissements"),
    "people": gettext_lazy("Personnes"),
    "memberships": gettext_lazy("Rattachements"),
    "classes": gettext_lazy("Classes"),
    "groups": gettext_lazy("Groupes"),
    "subjects": gettext_lazy("Matières"),
    "enrolments": gettext_lazy("Inscriptions en classe"),
    "group_memberships": gettext_lazy("Inscriptions en groupe"),
    "guardianships": gettext_lazy("Responsabilités"),
    "teaching": gettext_lazy("Services d'enseignement"),
    "contacts": gettext_lazy("Coordonnées"),
}
OUTCOME_LABELS = {
    "created": gettext_lazy("créer"),
    "changed": gettext_lazy("changer"),
    "ended": gettext_lazy("clore"),
}


def issue(item: dict) -> str:
    if item.get("line"):
        return _("%(file)s, ligne %(line)s : %(message)s") % item
    if item.get("file"):
        return _("%(file)s : %(message)s") % item
    return str(item["message"])


def refusal(run: ImportRun) -> str:
    n = len(run.errors)
    return ngettext("%(n)d erreur : rien n'a été importé.", "%(n)d erreurs : rien n'a été importé.", n) % {"n": n}


def lines(run: ImportRun, plan: Plan | None = None, *, details: bool = False) -> Iterator[str]:
    """The report, line by line."""
    yield _("Import %(kind)s — %(outcome)s") % {
        "kind": run.get_source_kind_display(),
        "outcome": run.get_outcome_display(),
    }
    for file in run.files:
        yield _("  fichier %(name)s (%(kind)s), %(bytes)s octets, SHA-256 %(sha256)s") % {
            **file,
            "kind": file.get("kind") or "?",
        }
    yield " " * 26 + " ".join(f"{h!s:>8}" for h in (_("créés"), _("changés"), _("clos"), _("inchangés")))
    for kind in KINDS:
        counts = run.counts.get(kind, {})
        if any(counts.values()):
            numbers = " ".join(f"{counts.get(o, 0):8d}" for o in ("created", "changed", "ended", "unchanged"))
            yield f"{KIND_LABELS[kind]!s:26} {numbers}"
    if details and plan is not None and not run.errors:
        for line in plan.lines:
            change = f" : {line.before} → {line.after}" if line.outcome == "changed" else ""
            yield f"  {OUTCOME_LABELS[line.outcome]} {KIND_LABELS[line.kind]} — {line.label}{change}"
    for item in run.warnings:
        yield _("Avertissement — %(issue)s") % {"issue": issue(item)}
    for item in run.errors:
        yield _("Erreur — %(issue)s") % {"issue": issue(item)}
