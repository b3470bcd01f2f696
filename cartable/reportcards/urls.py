app_name = "reportcards"
urlpatterns: list = []
