from django.urls import path

from cartable.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.mailbox, name="inbox"),
    path("envoyes/", views.mailbox, {"box": "sent"}, name="sent"),
    path("brouillons/", views.mailbox, {"box": "drafts"}, name="drafts"),
    path("corbeille/", views.mailbox, {"box": "trash"}, name="trash"),
    path("dossiers/<int:folder_id>/", views.mailbox, name="folder"),
    path("dossiers/nouveau/", views.folder_create, name="folder_create"),
    path("dossiers/<int:folder_id>/supprimer/", views.folder_delete, name="folder_delete"),
    path("classer/", views.bulk, name="bulk"),
    path("ecrire/", views.compose, name="compose"),
    path("destinataires/", views.picker, name="picker"),
    path("pourquoi/<int:pk>/", views.why, name="why"),
    path("fils/<int:pk>/", views.thread, name="thread"),
    path("pieces-jointes/<int:pk>/", views.attachment, name="attachment"),
    path("messages/<int:pk>/signaler/", views.report_create, name="report_create"),
    path("signalements/", views.reports, name="reports"),
    path("signalements/<int:pk>/", views.report, name="report"),
    path("regles/", views.rules, name="rules"),
]
