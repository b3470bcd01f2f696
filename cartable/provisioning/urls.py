from django.urls import path

from cartable.provisioning import views

app_name = "provisioning"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("exemple-lot-differentiel.zip", views.example_delta, name="example_delta"),
]
