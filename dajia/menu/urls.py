from django.urls import path

from dajia.menu import views

app_name = "menu"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.project_export, name="export"),
    path("projects/<int:pk>/", views.project_detail, name="detail"),
    path("workspace/", views.workspace, name="workspace"),
    path("workspace/new/", views.project_create, name="project_create"),
    path("workspace/<int:pk>/", views.project_edit, name="project_edit"),
    path("workspace/<int:pk>/submit/", views.project_submit, name="project_submit"),
    path("workspace/<int:pk>/delete/", views.project_delete, name="project_delete"),
    path("workspace/<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.project_review, name="project_review"),
    path("categories/", views.category_list, name="category_list"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path(
        "categories/proposals/<int:pk>/decide/",
        views.category_proposal_decide,
        name="category_proposal_decide",
    ),
]
