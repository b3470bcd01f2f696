from django.urls import path

from cartable.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.people, name="people"),
    path("role/", views.switch_role, name="switch_role"),
    path("enfant/", views.switch_child, name="switch_child"),
]
