"""Staff pages of the licences app under /console/licences/."""

from django.urls import path

from .views import console

app_name = "licences-console"

urlpatterns = [
    # the issuing department's licences: search, one licence, revoke, reissue (l2)
    path("", console.search, name="search"),
    path("<int:pk>/", console.licence_page, name="licence"),
    path("<int:pk>/pdf/", console.licence_pdf, name="pdf"),
    path("<int:pk>/revoke/", console.licence_revoke_view, name="revoke"),
    path("<int:pk>/reissue/", console.licence_reissue_view, name="reissue"),
]
