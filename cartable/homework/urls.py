from django.urls import include, path

from cartable.homework import views, views_family, views_workload

app_name = "homework"
urlpatterns = [
    path("", views.teacher_week, name="teacher"),
    path("seance/nouvelle/", views.entry_new, name="entry_new"),
    path("seance/<int:pk>/", views.entry_detail, name="entry"),
    path("seance/<int:pk>/supprimer/", views.entry_delete, name="entry_delete"),
    path("<str:kind>/<int:pk>/lien/", views.link_add, name="link_add"),
    path("<str:kind>/<int:pk>/fichier/", views.attachment_add, name="attachment_add"),
    path("lien/<int:pk>/supprimer/", views.link_delete, name="link_delete"),
    path("fichier/<int:pk>/supprimer/", views.attachment_delete, name="attachment_delete"),
    path("fichier/<int:pk>/", views_family.attachment_download, name="attachment"),
    path("devoir/nouveau/", views.homework_new, name="homework_new"),
    path("devoir/<int:pk>/", views_family.homework_detail, name="detail"),
    path("devoir/<int:pk>/modifier/", views.homework_edit, name="homework_edit"),
    path("devoir/<int:pk>/supprimer/", views.homework_delete, name="homework_delete"),
    path("devoir/<int:pk>/fait/", views_family.toggle_done, name="toggle_done"),
    path("travail/", views_family.todo, name="todo"),
    path("classe/<int:pk>/", views_family.class_log, name="class_log"),
    path("groupe/<int:pk>/", views_family.group_log, name="group_log"),
    path("charge/", views_workload.index, name="workload"),
    path("charge/classe/<int:pk>/", views_workload.class_week, name="workload_class"),
    path("charge/ma-semaine/", views_workload.my_week, name="workload_mine"),
    path("charge/seuils/", views_workload.thresholds, name="workload_thresholds"),
    path("", include("cartable.homework.submissions.urls")),
]
