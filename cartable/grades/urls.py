from django.urls import path

from cartable.grades import views

app_name = "grades"
urlpatterns = [
    path("", views.index, name="index"),
    path("evaluation/nouvelle/", views.evaluation_new, name="evaluation_new"),
    path("evaluation/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluation/<int:pk>/modifier/", views.evaluation_edit, name="evaluation_edit"),
    path("evaluation/<int:pk>/supprimer/", views.evaluation_delete, name="evaluation_delete"),
    path("classe/<int:pk>/", views.gradebook, name="gradebook"),
    path("classe/<int:pk>/export.<str:fmt>", views.gradebook_export, name="gradebook_export"),
    path("classe/<int:pk>/competences/", views.competencies, name="competencies"),
    path("coefficients/", views.coefficients, name="coefficients"),
    path("mes-notes/", views.mine, name="mine"),
    path("eleve/<int:pk>/", views.student, name="student"),
]
