"""Knowledge base pages under /console/hotline/knowledge/ (namespace ``hotline-console:knowledge``)."""

from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("new/", views.article_create, name="create"),
    path("review/", views.review_queue, name="review"),
    path("expired/", views.expired, name="expired"),
    path("<int:pk>/", views.article_page, name="article"),
    path("<int:pk>/edit/", views.article_edit, name="edit"),
    path("<int:pk>/actions/<slug:action>/", views.article_action, name="action"),
]
