app_name = "grades"
urlpatterns: list = []
