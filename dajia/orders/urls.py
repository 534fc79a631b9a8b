from django.urls import path

from dajia.orders import views, views_signin

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("overview/", views.overview, name="overview"),
    path("new/", views.order_new, name="new"),
    path("budgets/", views.budgets, name="budgets"),
    path("providers/<int:pk>/", views.provider_page, name="provider"),
    path("s/<str:token>/", views_signin.signin, name="signin"),
    path("s/<str:token>/rate/", views_signin.signin_rate, name="signin_rate"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/qr.svg", views.order_qr, name="qr"),
    path("<int:pk>/dispatch/", views.order_dispatch, name="dispatch"),
    path("<int:pk>/accept/", views.order_accept, name="accept"),
    path("<int:pk>/decline/", views.order_decline, name="decline"),
    path("<int:pk>/accept-proposal/", views.order_accept_proposal, name="accept_proposal"),
    path("<int:pk>/cancel/", views.order_cancel, name="cancel"),
    path("<int:pk>/deliver/", views.delivery_record, name="deliver"),
    path("<int:pk>/confirm/", views.delivery_confirm, name="confirm"),
    path("<int:pk>/rate/", views.chair_rate, name="rate"),
    path("<int:pk>/photos/<int:photo_pk>/", views.delivery_photo, name="photo"),
    path("<int:pk>/ratings/<int:rating_pk>/reply/", views.rating_reply, name="reply"),
]
