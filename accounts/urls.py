"""Password reset by email, with Django's views and the admin's templates; the names are the ones the admin
login page and Django's views look for."""

from django.urls import path

from . import views

urlpatterns = [
    path("password-reset/", views.PasswordResetView.as_view(), name="admin_password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
