from django.urls import path

from cartable.documents import views, views_areas, views_resumable

app_name = "documents"
OPS = ("rename", "move", "copy", "trash", "restore", "delete")
WORDS = {
    "rename": "renommer",
    "move": "deplacer",
    "copy": "copier",
    "trash": "corbeille",
    "restore": "restaurer",
    "delete": "supprimer",
}
urlpatterns = [
    path("", views.folder, name="index"),
    path("envoyer/", views.upload, name="upload_root"),
    path("nouveau-dossier/", views.create_folder, name="create_folder_root"),
    path("corbeille/", views.trash, name="trash"),
    path("corbeille/vider/", views.empty_trash, name="empty_trash"),
    path("partages-avec-moi/", views.shared, name="shared"),
    path("quotas/", views.quotas, name="quotas"),
    path("rechercher/", views.search, name="search"),
    path("dossier/<int:pk>/", views.folder, name="folder"),
    path("dossier/<int:pk>/envoyer/", views.upload, name="upload"),
    path("dossier/<int:pk>/nouveau-dossier/", views.create_folder, name="create_folder"),
    path("dossier/<int:pk>/zip/", views.download_zip, name="download_zip"),
    path("dossier/<int:pk>/partager/", views.share, {"kind": "folder"}, name="share_folder"),
    path("fichier/<int:pk>/", views.document, name="document"),
    path("fichier/<int:pk>/telecharger/", views.download, name="download"),
    path("fichier/<int:pk>/apercu/", views.preview, name="preview"),
    path("fichier/<int:pk>/versions/<int:version_id>/telecharger/", views.download, name="download_version"),
    path("fichier/<int:pk>/versions/<int:version_id>/retablir/", views.restore_version, name="restore_version"),
    path("fichier/<int:pk>/nouvelle-version/", views.new_version, name="new_version"),
    path("fichier/<int:pk>/partager/", views.share, {"kind": "document"}, name="share_document"),
    path("partage/<int:pk>/retirer/", views.revoke, name="revoke"),
    path("ressources/", views_areas.index, name="areas"),
    path("ressources/ouvrir/", views_areas.open_area, name="open_area"),
    path("ressources/<int:pk>/", views_areas.area, name="area"),
    path("ressource/<int:pk>/", views_areas.resource, name="resource"),
    path("ressource/<int:pk>/retirer/", views_areas.withdraw, name="withdraw_resource"),
    path("envois/", views_resumable.start, name="upload_start"),
    path("envois/<int:pk>/", views_resumable.chunk, name="upload_chunk"),
]
for op in OPS:
    urlpatterns += [
        path(f"dossier/<int:pk>/{WORDS[op]}/", views.operate, {"kind": "folder", "op": op}, name=f"{op}_folder"),
        path(f"fichier/<int:pk>/{WORDS[op]}/", views.operate, {"kind": "document", "op": op}, name=f"{op}_document"),
    ]
