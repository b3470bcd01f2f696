from django.urls import path

from cartable.provisioning import views

app_name = "provisioning"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("lettres-activation/", views.letters, name="letters"),
    path("lettres-activation/<int:pk>/", views.print_letters, name="print_letters"),
    path("lettres-activation/preparation/<int:pk>/", views.letter_progress, name="letter_progress"),
    path("lettres-activation/preparation/<int:pk>/pdf/", views.download_letters, name="download_letters"),
    path("departs/", views.leavers, name="leavers"),
    path("annee-suivante/", views.open_school_year, name="open_school_year"),
    path("exemple-lot-differentiel.zip", views.example_delta, name="example_delta"),
]
