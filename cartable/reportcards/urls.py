from django.urls import path

from cartable.reportcards import views

app_name = "reportcards"
urlpatterns = [
    path("", views.index, name="index"),
    path("saisie/<int:class_id>/<int:period_id>/<int:subject_id>/", views.grid, name="grid"),
    path(
        "saisie/<int:class_id>/<int:period_id>/<int:subject_id>/eleve/<int:student_id>/",
        views.save_subject,
        name="save_subject",
    ),
    path("conseil/<int:class_id>/<int:period_id>/", views.council, name="council"),
    path(
        "conseil/<int:class_id>/<int:period_id>/eleve/<int:student_id>/generale/",
        views.save_general,
        name="save_general",
    ),
    path(
        "conseil/<int:class_id>/<int:period_id>/eleve/<int:student_id>/decision/",
        views.save_decision,
        name="save_decision",
    ),
    path("conseil/<int:class_id>/<int:period_id>/produire/", views.generate, name="generate"),
    path("conseil/<int:class_id>/<int:period_id>/publier/", views.publish, name="publish"),
    path("conseil/<int:class_id>/<int:period_id>/bulletins.zip", views.class_zip, name="zip"),
    path("production/<int:run_id>/", views.progress, name="progress"),
    path("<int:pk>/", views.card, name="card"),
    path("<int:pk>/pdf/", views.download, name="download"),
]
