from django.urls import path

from cartable.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("consultations/<int:person_id>/", views.who_read, name="who_read"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/fermer/", views.end_sessions, name="end_sessions"),
    path("archives/", views.exports, name="exports"),
    path("archives/demander/<int:person_id>/", views.request_export, name="request_export"),
    path("archives/<int:pk>/progression/", views.export_progress, name="export_progress"),
    path("archives/<int:pk>/telecharger/", views.download, name="download"),
    path("demandes/", views.requests, name="requests"),
    path("demandes/envoyer/", views.submit_request, name="submit_request"),
    path("demandes/<int:pk>/", views.request_detail, name="request"),
    path("demandes/<int:pk>/prolonger/", views.extend_request, name="extend_request"),
    path("demandes/<int:pk>/repondre/", views.answer_request, name="answer_request"),
    path("demandes/<int:pk>/lever-la-limitation/", views.lift_limitation, name="lift_limitation"),
    path("demandes/a-traiter/", views.queue, name="queue"),
    path("registre-des-traitements/", views.processing_register, name="register"),
    path("registre-des-traitements.pdf", views.processing_register_pdf, name="register_pdf"),
    path("conservation/", views.retention_report, name="retention"),
    path("journal/<int:establishment_id>/", views.audit_log, name="audit_log"),
    path("journal/<int:establishment_id>/export.csv", views.audit_csv, name="audit_csv"),
]
