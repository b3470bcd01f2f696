from django.urls import path

from cartable.lti.views import admin, launch, services

app_name = "lti"
urlpatterns = [
    path("", launch.index, name="index"),
    path("activites/<int:pk>/lancer/", launch.launch, name="launch"),
    path("selection/", launch.deep_link, name="deep_link"),
    path("selection/retour/", launch.deep_link_return, name="deep_link_return"),
    path("auth/", launch.auth, name="auth"),
    path("token/", services.token, name="token"),
    path("ags/activites/<int:pk>/lignes/", services.line_items, name="line_items"),
    path("ags/lignes/<int:pk>/", services.line_item, name="line_item"),
    path("ags/lignes/<int:pk>/scores", services.scores, name="scores"),
    path("nrps/activites/<int:pk>/membres/", services.memberships, name="memberships"),
    path("outils/", admin.manage, name="manage"),
    path("outils/nouveau/", admin.edit, name="create"),
    path("outils/<int:pk>/", admin.edit, name="edit"),
]
