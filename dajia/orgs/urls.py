from django.urls import path

from dajia.orgs import views

app_name = "orgs"
urlpatterns = [
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/<int:pk>/review/", views.provider_review, name="provider_review"),
    path("providers/<int:pk>/", views.provider_edit, name="provider_edit"),
    path("unions/", views.union_list, name="union_list"),
    path("unions/<int:pk>/", views.union_detail, name="union_detail"),
]
