from django.urls import path

from .views import shell

app_name = "console"

urlpatterns = [
    path("", shell.home, name="home"),
    path("notices/read/", shell.notices_read, name="notices-read"),
    path("login/", shell.LoginView.as_view(), name="login"),
    path("logout/", shell.LogoutView.as_view(), name="logout"),
]
