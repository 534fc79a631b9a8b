from django.urls import path

from dajia.core import views, views_calendar

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar/days", views_calendar.calendar_day_set, name="calendar_day_set"),
    path("calendar/days/<int:day_id>/remove", views_calendar.calendar_day_remove, name="calendar_day_remove"),
    path("calendar/hours", views_calendar.office_hours_set, name="office_hours_set"),
]
