"""The outcome ledger's addresses: the page, its xlsx, a volunteer's certificate."""

from django.urls import path

from dajia.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.home, name="home"),
    path("export.xlsx", views.export, name="export"),
    path("certificate/<int:pk>.pdf", views.certificate, name="certificate"),
]
