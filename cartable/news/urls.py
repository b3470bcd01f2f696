from django.urls import path

from cartable.news import views

app_name = "news"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.edit, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/image/", views.image, name="image"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/supprimer/", views.delete, name="delete"),
]
