from django.urls import path

from cartable.attendance import views

app_name = "attendance"
urlpatterns = [
    path("", views.home, name="home"),
    path("appel/", views.lessons, name="lessons"),
    path("appel/<str:day>/<str:key>/", views.roll_call, name="roll_call"),
    path("suivi/", views.board, name="board"),
    path("absences/", views.absences, name="absences"),
    path("absences/nouvelle/", views.absence_new, name="absence_new"),
    path("absences/<int:pk>/", views.absence, name="absence"),
    path("retards/", views.lateness_list, name="lateness_list"),
    path("retards/nouveau/", views.lateness_new, name="lateness_new"),
    path("retards/<int:pk>/", views.lateness, name="lateness"),
    path("justificatifs/<int:pk>/document/", views.document, name="document"),
    path("mes-absences/", views.family, name="family"),
    path("declarer/", views.declare, name="declare"),
    path("eleves/<int:pk>/", views.student, name="student"),
    path("statistiques/", views.statistics, name="statistics"),
    path("reglages/", views.settings, name="settings"),
]
