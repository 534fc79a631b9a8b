"""The expert desk's addresses: its queue, cases and their actions, consultations, contacts, rota, export."""

from django.urls import path

from dajia.desk import views, views_contacts

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/take/", views.case_take, name="case_take"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/start/", views.case_start, name="case_start"),
    path("cases/<int:pk>/finish/", views.case_finish, name="case_finish"),
    path("cases/<int:pk>/rate/", views.case_rate, name="case_rate"),
    path("cases/<int:pk>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path("export.xlsx", views.export, name="export"),
]

urlpatterns += [
    path("register/", views_contacts.register, name="register"),
    path("contacts/", views_contacts.contacts, name="contacts"),
    path("contacts/<int:pk>/", views_contacts.contact_confirm, name="contact_confirm"),
    path("rota/", views_contacts.rota, name="rota"),
]
