from django.urls import path

from cartable.timetable.views import edit, weeks

app_name = "timetable"
urlpatterns = [
    path("", weeks.home, name="home"),
    path("choisir/", weeks.chooser, name="chooser"),
    path("classe/<int:pk>/", weeks.class_week, name="class"),
    path("groupe/<int:pk>/", weeks.group_week, name="group"),
    path("enseignant/<int:pk>/", weeks.teacher_week, name="teacher"),
    path("salle/<int:pk>/", weeks.room_week, name="room"),
    path("eleve/<int:pk>/", weeks.student_week, name="student"),
    path("cours/<int:slot>/<str:date>/", edit.change_lesson, name="change_lesson"),
    path("modification/<int:pk>/supprimer/", edit.remove_change, name="remove_change"),
    path("cours-exceptionnel/", edit.exceptional_lesson, name="exceptional"),
    path("reglages/", edit.settings, name="settings"),
    path("jours-sans-cours/<int:pk>/supprimer/", edit.remove_non_school_day, name="remove_non_school_day"),
    path("import/", edit.import_file, name="import"),
]
