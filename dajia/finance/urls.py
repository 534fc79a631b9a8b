"""The bank team's addresses: the list, a file, its needs and their decisions, the export."""

from django.urls import path

from dajia.finance import views

app_name = "finance"

urlpatterns = [
    path("", views.home, name="home"),
    path("files/new/", views.file_new, name="file_new"),
    path("files/<int:pk>/", views.file_detail, name="file_detail"),
    path("files/<int:pk>/needs/", views.need_new, name="need_new"),
    path("needs/<int:pk>/decide/", views.need_decide, name="need_decide"),
    path("export.xlsx", views.export, name="export"),
]
