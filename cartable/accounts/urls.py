from django.urls import path

from cartable.accounts import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("chartes/", views.charters_view, name="charters"),
    path("preferences/", views.preferences, name="preferences"),
    path("langue/", views.set_language, name="set_language"),
    path("mot-de-passe/", views.password_change, name="password_change"),
    path("activation/", views.activate, name="activate"),
    path("activation/mot-de-passe/", views.activate_password, name="activate_password"),
    path("mot-de-passe-oublie/", views.password_reset, name="password_reset"),
    path("mot-de-passe-oublie/envoye/", views.password_reset_done, name="password_reset_done"),
    path("mot-de-passe-oublie/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
]
