from django.urls import path

from cartable.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.bank, name="bank"),
    path("importer/", views.import_file, name="import"),
    path("exporter/", views.export, name="export"),
    path("questions/<int:pk>/", views.question, name="question"),
    path("questions/<int:pk>/modifier/", views.question_edit, name="question_edit"),
    path("fichiers/<int:pk>/", views.file, name="file"),
    path("categories/<int:pk>/partage/", views.share, name="share"),
    path("quiz/", views.quizzes, name="quizzes"),
    path("quiz/nouveau/", views.quiz_new, name="quiz_new"),
    path("quiz/<int:pk>/", views.quiz_results, name="quiz_results"),
    path("quiz/<int:pk>/commencer/", views.quiz_start, name="quiz_start"),
    path("quiz/<int:pk>/carnet/", views.quiz_publish, name="quiz_publish"),
    path("tentatives/<int:pk>/", views.attempt, name="attempt"),
    path("tentatives/<int:pk>/correction/", views.attempt_grade, name="attempt_grade"),
    path("amenagements/", views.accommodations, name="accommodations"),
]
