"""URLs of online submission, included under the homework log's (namespace ``homework:submissions``)."""

from django.urls import path

from cartable.homework.submissions import views

app_name = "submissions"

urlpatterns = [
    path("devoir/<int:homework_id>/depot/", views.student, name="student"),
    path("devoir/<int:homework_id>/depots/", views.class_list, name="list"),
    path("devoir/<int:homework_id>/depots.zip", views.download_all, name="zip"),
    path("depots/<int:submission_id>/retour/", views.feedback, name="feedback"),
    path("depots/fichiers/<int:file_id>/", views.download_file, name="file"),
    path("retours/<int:feedback_id>/correction/", views.download_correction, name="correction"),
]
