from django.urls import path

from cartable.agenda import views

app_name = "agenda"
urlpatterns = [
    path("", views.agenda, name="home"),
    path("mois/", views.agenda, {"view": "month"}, name="month"),
    path("semaine/", views.agenda, {"view": "week"}, name="week"),
    path("jour/", views.agenda, {"view": "day"}, name="day"),
    path("liste/", views.agenda, {"view": "list"}, name="list"),
    path("evenements/nouveau/", views.event_form, name="event_create"),
    path("evenements/<int:pk>/", views.event, name="event"),
    path("evenements/<int:pk>/modifier/", views.event_form, name="event_edit"),
    path("evenements/<int:pk>/supprimer/", views.event_delete, name="event_delete"),
    path("flux/", views.feeds, name="feeds"),
    path("ical/<str:token>.ics", views.ical, name="ical"),
]
