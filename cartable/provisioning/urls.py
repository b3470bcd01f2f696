from django.urls import path

from cartable.provisioning import views

app_name = "provisioning"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("lettres-activation/", views.letters, name="letters"),
    path("lettres-activation/<int:pk>/", views.print_letters, name="print_letters"),
    path("exemple-lot-differentiel.zip", views.example_delta, name="example_delta"),
]
