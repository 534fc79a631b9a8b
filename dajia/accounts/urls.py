from django.urls import path

from dajia.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("register/", views.register_provider, name="register_provider"),
    path("password/", views.change_password, name="change_password"),
    path("people/", views.people, name="people"),
    path("people/<int:user_id>/reset-password/", views.reset_password, name="reset_password"),
    path(
        "people/<int:user_id>/clear-login-failures/", views.clear_login_failures, name="clear_login_failures"
    ),
]
