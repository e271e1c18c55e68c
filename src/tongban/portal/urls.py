from django.urls import path

from .views import shell

app_name = "portal"

urlpatterns = [
    path("", shell.home, name="home"),
    path("login/", shell.LoginView.as_view(), name="login"),
    path("logout/", shell.LogoutView.as_view(), name="logout"),
    path("privacy/", shell.privacy, name="privacy"),
]
