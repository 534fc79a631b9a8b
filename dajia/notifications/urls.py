from django.urls import path

from dajia.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open", views.open_message, name="open"),
    path("read-all", views.read_all, name="read_all"),
    path("preference", views.preference, name="preference"),
]
