app_name = "live"
urlpatterns: list = []
