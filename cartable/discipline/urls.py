from django.urls import path

from cartable.discipline import views

app_name = "discipline"
urlpatterns = [
    path("", views.home, name="home"),
    path("incidents/nouveau/", views.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
    path("punitions/nouvelle/", views.punishment_create, name="punishment_create"),
    path("punitions/<int:pk>/", views.punishment, name="punishment"),
    path("sanctions/nouvelle/", views.sanction_create, name="sanction_create"),
    path("sanctions/<int:pk>/", views.sanction, name="sanction"),
    path("eleves/<int:pk>/", views.student, name="student"),
]
