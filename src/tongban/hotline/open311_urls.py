"""Open311 GeoReport v2 under /open311/v2/ (see docs/open311.md).

Every resource answers ``.json`` and ``.xml`` (and, without a suffix, what ``Accept`` asks
for): ``discovery``, ``services``, ``services/{service_code}``, ``requests`` (GET, and POST
with an api_key), ``requests/{service_request_id}``, ``tokens/{token}``.
"""

from django.urls import re_path

from .open311 import openapi, views

app_name = "open311"

_FORMAT = r"(?:\.(?P<fmt>json|xml))?$"

urlpatterns = [
    re_path(r"^$", views.discovery, name="root"),
    re_path(r"^discovery" + _FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + _FORMAT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + _FORMAT, views.service_definition, name="service"),
    re_path(r"^requests" + _FORMAT, views.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)" + _FORMAT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + _FORMAT, views.token, name="token"),
    re_path(r"^openapi\.json$", openapi.schema_view, name="openapi"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
