from django.urls import include, path

from cartable.homework.views import family, teacher, workload

app_name = "homework"
urlpatterns = [
    path("", teacher.teacher_week, name="teacher"),
    path("seance/nouvelle/", teacher.entry_new, name="entry_new"),
    path("seance/<int:pk>/", teacher.entry_detail, name="entry"),
    path("seance/<int:pk>/supprimer/", teacher.entry_delete, name="entry_delete"),
    path("<str:kind>/<int:pk>/lien/", teacher.link_add, name="link_add"),
    path("<str:kind>/<int:pk>/fichier/", teacher.attachment_add, name="attachment_add"),
    path("lien/<int:pk>/supprimer/", teacher.link_delete, name="link_delete"),
    path("fichier/<int:pk>/supprimer/", teacher.attachment_delete, name="attachment_delete"),
    path("fichier/<int:pk>/", family.attachment_download, name="attachment"),
    path("devoir/nouveau/", teacher.homework_new, name="homework_new"),
    path("devoir/<int:pk>/", family.homework_detail, name="detail"),
    path("devoir/<int:pk>/modifier/", teacher.homework_edit, name="homework_edit"),
    path("devoir/<int:pk>/supprimer/", teacher.homework_delete, name="homework_delete"),
    path("devoir/<int:pk>/fait/", family.toggle_done, name="toggle_done"),
    path("travail/", family.todo, name="todo"),
    path("classe/<int:pk>/", family.class_log, name="class_log"),
    path("groupe/<int:pk>/", family.group_log, name="group_log"),
    path("charge/", workload.index, name="workload"),
    path("charge/classe/<int:pk>/", workload.class_week, name="workload_class"),
    path("charge/ma-semaine/", workload.my_week, name="workload_mine"),
    path("charge/seuils/", workload.thresholds, name="workload_thresholds"),
    path("", include("cartable.homework.submissions.urls")),
]
