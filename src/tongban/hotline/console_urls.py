"""Staff pages of the hotline under /console/hotline/."""

from django.urls import include, path

app_name = "hotline-console"

urlpatterns = [
    path("knowledge/", include("tongban.hotline.knowledge.urls")),
    path("", include("tongban.hotline.views.console_urls")),
]
