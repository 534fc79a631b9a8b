"""The lectures' addresses: the list and export, the topic menu, a request, a lecture and its actions, the
attendee's sign-in page."""

from django.urls import path

from dajia.lectures import views, views_signin

app_name = "lectures"

urlpatterns = [
    path("", views.home, name="home"),
    path("export.xlsx", views.export, name="export"),
    path("topics/", views.topics, name="topics"),
    path("topics/<int:pk>/", views.topic_edit, name="topic_edit"),
    path("new/", views.request_new, name="request"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/deliver/", views.deliver, name="deliver"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/qr.svg", views.qr, name="qr"),
    path("s/<str:token>/", views_signin.signin, name="signin"),
]
