"""Mounted at /notices/ (app_name "notices"). The old /participation/s/<pk>/objection/ addresses redirect here."""

from django.urls import path

from dajia.notices import views

app_name = "notices"
urlpatterns = [
    path("s/<int:pk>/objection/", views.objection, name="objection"),
    path("s/<int:pk>/objection/code", views.objection_code, name="objection_code"),
    path("s/<int:pk>/objections/", views.objections, name="objections"),
    path("objections/<int:objection_id>/respond", views.objection_respond, name="objection_respond"),
]
