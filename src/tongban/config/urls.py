from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from tongban.core.views import site

from .api import api

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url="/static/core/favicon.svg", permanent=True)),
    path("healthz", site.healthz, name="healthz"),
    path("mode/<str:mode>/", site.display_mode, name="display-mode"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("console/catalog/", include("tongban.catalog.console_urls")),
    path("notices/", include("tongban.cases.documents_urls")),
    path("console/cases/", include("tongban.cases.console_urls")),
    path("console/hotline/", include("tongban.hotline.console_urls")),
    path("console/licences/", include("tongban.licences.console_urls")),
    path("console/rules/", include("tongban.rules.console_urls")),
    path("console/ratings/", include("tongban.ratings.console_urls")),
    path("console/supervision/", include("tongban.supervision.console_urls")),
    path("console/grid/", include("tongban.grid.console_urls")),
    path("console/hall/", include("tongban.hall.console_urls")),
    path("console/selfservice/", include("tongban.selfservice.console_urls")),
    path("open311/v2/", include("tongban.hotline.open311_urls")),
    path("console/security/", include("tongban.core.security_urls")),
    path("console/personal-data/", include("tongban.core.personal_data_urls")),
    path("console/", include("tongban.console.urls")),
    path("", include("tongban.catalog.urls")),
    path("", include("tongban.cases.urls")),
    path("", include("tongban.hotline.urls")),
    path("", include("tongban.licences.urls")),
    path("", include("tongban.rules.urls")),
    path("", include("tongban.ratings.urls")),
    path("", include("tongban.supervision.urls")),
    path("", include("tongban.grid.urls")),
    path("", include("tongban.hall.urls")),
    path("", include("tongban.selfservice.urls")),
    path("", include("tongban.portal.urls")),
]
