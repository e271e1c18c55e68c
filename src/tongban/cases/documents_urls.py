from django.urls import path

from .views import documents

app_name = "case-documents"

urlpatterns = [
    path("<str:case_no>/<slug:kind>.pdf", documents.notice, name="notice"),
]
