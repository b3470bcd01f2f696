from django.urls import path

from cartable.forums import views

app_name = "forums"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouveau/", views.forum_create, name="forum_create"),
    path("<int:pk>/", views.forum, name="forum"),
    path("sujets/<int:pk>/", views.topic, name="topic"),
    path("sujets/<int:pk>/verrou/", views.topic_lock, name="topic_lock"),
    path("messages/<int:pk>/masquer/", views.post_hide, name="post_hide"),
    path("<str:kind>/<int:pk>/abonnement/", views.subscription, name="subscription"),
]
