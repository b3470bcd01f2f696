from django.urls import path

from cartable.governance import views

app_name = "governance"
urlpatterns = [
    path("modules/", views.modules, name="modules"),
    path("comptes-a-activer/", views.accounts, name="accounts"),
]
