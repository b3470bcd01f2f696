from django.urls import path

from cartable.timetable.views import edit, slots, weeks

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
    path("import/<int:pk>/", edit.import_run, name="import_run"),
    path("cours-hebdomadaire/ajouter/", slots.create_slot, name="create_slot"),
    path("cours-hebdomadaire/<int:pk>/", slots.edit_slot, name="edit_slot"),
    path("salles/", slots.rooms, name="rooms"),
    path("salles/<int:pk>/supprimer/", slots.delete_room, name="delete_room"),
]
