from django.urls import re_path

from dajia.live import views

app_name = "live"

# The channel pattern is bus.CHANNEL_RE: anything else is a 404 before a view runs.
_CHANNEL = r"(?P<channel>[a-z]{1,32}-[0-9]{1,20})"

urlpatterns = [
    re_path(rf"^{_CHANNEL}/events$", views.events, name="events"),
    re_path(rf"^{_CHANNEL}/poll$", views.poll, name="poll"),
]
