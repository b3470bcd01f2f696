from django.urls import path

from cartable.accounts import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("chartes/", views.charters_view, name="charters"),
    path("preferences/", views.preferences, name="preferences"),
    path("mot-de-passe/", views.password_change, name="password_change"),
    path("activation/", views.activate, name="activate"),
    path("mot-de-passe-oublie/", views.password_reset, name="password_reset"),
]
