from django.urls import path

from cartable.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("compteur/", views.counter, name="counter"),
    path("<int:pk>/lue/", views.read, name="read"),
    path("tout-lire/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/tranquillite/", views.quiet_hours, name="quiet_hours"),
    path("etablissement/", views.establishment_quiet_hours, name="establishment_quiet_hours"),
]
