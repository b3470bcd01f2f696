"""Mes documents: registrations (module, menu, periodic job, personal data, demo loader)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.documents.models import Document, Folder, Resource, Share, UploadSession, Version

ERASE = "cartable.documents.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="documents",
        label=_("Documents"),
        description=_("Un espace personnel de dossiers et de fichiers, partageable."),
    )
)
registry.register_menu(
    registry.MenuEntry(
        key="documents",
        label=_("Mes documents"),
        url_name="documents:index",
        order=70,
        module="documents",
        visible=lambda actor: bool(actor.memberships),
    )
)


def _periodic() -> None:
    from cartable.documents.tasks import purge_trash

    registry.register_periodic(
        registry.PeriodicJob(
            key="documents.purge_trash",
            task=purge_trash,
            every=dt.timedelta(hours=24),
            description=_("Vide les corbeilles de ce qui y est depuis plus de 30 jours."),
        )
    )


_periodic()

_PURPOSE = _("Conserver et partager les documents de son espace personnel.")
_RETENTION = _("Jusqu'à leur suppression par la personne ou la fin de son compte ; 30 jours dans la corbeille.")

registry.personal_data(
    Folder,
    _PURPOSE,
    _RETENTION,
    lambda u: list(Folder.objects.filter(owner=u).values("name", "path")),
    ERASE,
    "owner",
)
registry.personal_data(
    Document,
    _PURPOSE,
    _RETENTION,
    lambda u: [
        {"name": d.name, "path": d.path, "size": d.current.size if d.current else 0, "type": d.current.content_type}
        if d.current
        else {"name": d.name, "path": d.path}
        for d in Document.objects.filter(owner=u).select_related("current")
    ],
    ERASE,
    "owner",
)
registry.personal_data(
    Version,
    _PURPOSE,
    _RETENTION,
    lambda u: [
        dict(r, created_at=r["created_at"].isoformat())
        for r in Version.objects.filter(uploaded_by=u).values(
            "document__name", "number", "size", "sha256", "created_at"
        )
    ],
    ERASE,
    "uploaded_by",
    files=lambda u: [
        (f"{v.document.name} (v{v.number})", v.file.name)
        for v in Version.objects.filter(document__owner=u).select_related("document")
    ],
)
registry.personal_data(
    Share,
    _("Partager des documents avec d'autres personnes."),
    _("Jusqu'à la fin du partage."),
    lambda u: (
        [
            dict(r, created_at=r["created_at"].isoformat())
            for r in Share.objects.filter(owner=u).values("folder__name", "document__name", "level", "created_at")
        ]
        + [
            dict(r, created_at=r["created_at"].isoformat())
            for r in Share.objects.filter(person=u).values("folder__name", "document__name", "level", "created_at")
        ]
    ),
    ERASE,
    "owner",
    "person",
)

registry.personal_data(
    UploadSession,
    _("Recevoir un fichier envoyé en plusieurs morceaux."),
    _("Jusqu'à la fin de l'envoi ; 24 heures au plus s'il est abandonné."),
    lambda u: list(UploadSession.objects.filter(owner=u).values("name", "size", "received")),
    ERASE,
    "owner",
)

registry.personal_data(
    Resource,
    _("Publier les ressources d'une classe."),
    _("Jusqu'au retrait de la ressource ; la ressource reste à la classe, sans auteur."),
    lambda u: [
        dict(r, publish_at=r["publish_at"].isoformat())
        for r in Resource.objects.filter(author=u).values("title", "chapter", "publish_at")
    ],
    ERASE,
    "author",
)
registry.register_menu(
    registry.MenuEntry(
        key="documents.areas",
        label=_("Ressources des classes"),
        url_name="documents:areas",
        order=71,
        module="documents",
        visible=lambda actor: bool(actor.memberships),
    )
)

registry.register_demo_loader("documents", "cartable.documents.demo.load_demo", after=("messaging",))
