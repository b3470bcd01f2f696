from django.urls import path

from cartable.accounts import views, views_mfa

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
    path("securite/", views_mfa.security, name="mfa_security"),
    path("securite/confirmer/", views_mfa.confirm, name="mfa_confirm"),
    path("securite/verification/", views_mfa.challenge, name="mfa_challenge"),
    path("securite/regle/", views_mfa.policy, name="mfa_policy"),
    path("securite/reinitialiser/", views_mfa.reset, name="mfa_reset"),
]
