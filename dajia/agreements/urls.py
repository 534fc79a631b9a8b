from django.urls import path

from dajia.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("generate/<int:session_pk>/", views.generate, name="generate"),
    path("template/", views.template_edit, name="template"),
    path("settlement/", views.settlement, name="settlement"),
    path("settlement.xlsx", views.settlement_export, name="settlement_export"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/amend/", views.agreement_amend, name="amend"),
    path("<int:pk>/sign/", views.agreement_sign, name="sign"),
    path("<int:pk>/quotas/", views.agreement_quotas, name="quotas"),
    path("<int:pk>/pdf/", views.agreement_pdf_view, name="pdf"),
    path("<int:pk>/<str:action>/", views.agreement_close, name="close"),
]
