"""Staff pages of the hotline under /console/hotline/."""

from django.urls import include, path

from .views import console_coordination, console_reports

app_name = "hotline-console"

urlpatterns = [
    path("knowledge/", include("tongban.hotline.knowledge.urls")),
    # [G] reports (热线日报/周报/月报)
    path("reports/", console_reports.report_page, name="reports"),
    path("reports/export/", console_reports.report_export, name="reports-export"),
    # [G] joint tickets (联动) and merging (并单): g1's block
    path("joint/", console_coordination.joint_list, name="joint"),
    path("merging/", console_coordination.merge_suggestions, name="merging"),
    path(
        "merging/<int:suggestion_id>/confirm/",
        console_coordination.merge_suggestion_confirm,
        name="merge-confirm",
    ),
    path(
        "merging/<int:suggestion_id>/dismiss/",
        console_coordination.merge_suggestion_dismiss,
        name="merge-dismiss",
    ),
    path(
        "coordination/<str:ticket_no>/<slug:action>/",
        console_coordination.coordination_action,
        name="coordination",
    ),
    # end of g1's block
    path("", include("tongban.hotline.views.console_urls")),
]
