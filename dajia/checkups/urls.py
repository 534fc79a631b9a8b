"""The health checks' addresses: the list and its export, a check and its steps, the report, the checklist."""

from django.urls import path

from dajia.checkups import views

app_name = "checkups"

urlpatterns = [
    path("", views.home, name="home"),
    path("open/", views.check_open, name="open"),
    path("export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/self-check/", views.self_check, name="self_check"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/visit/move/", views.visit_move, name="visit_move"),
    path("<int:pk>/visit/", views.visit_record, name="visit_record"),
    path("<int:pk>/report.pdf", views.report, name="report"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/items/<int:pk>/", views.checklist_item, name="checklist_item"),
]
