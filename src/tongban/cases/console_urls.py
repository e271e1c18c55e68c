"""The staff's case pages (工作台), included at ``console/cases/``."""

from django.urls import path

from .views import console, console_approvals, console_bundles, console_counter, console_postchecks

app_name = "cases-console"

urlpatterns = [
    path("", console.queue, name="queue"),
    path("bulk/", console.bulk, name="bulk"),
    path("counter/", console_counter.counter, name="counter"),
    # [B] 一件事 and 事中事后核查 (b1); before "<case_no>/"
    path("bundles/", console_bundles.bundles, name="bundles"),
    path("bundles/<str:bundle_no>/", console_bundles.bundle_page, name="bundle"),
    path(
        "bundles/<str:bundle_no>/accept/",
        console_bundles.bundle_accept_view,
        name="bundle-accept",
    ),
    path("post-checks/", console_postchecks.post_checks, name="post-checks"),
    path("post-checks/<int:pk>/", console_postchecks.post_check, name="post-check"),
    path("<str:case_no>/", console.case_page, name="case"),
    path("<str:case_no>/actions/<slug:action>/", console.case_action, name="action"),
    path("<str:case_no>/materials/<int:pk>/", console.material_file, name="material"),
    # [B] approval operations on the current review step (views/console_approvals.py)
    path(
        "<str:case_no>/approvals/<slug:operation>/",
        console.staff_view(console_approvals.operate),
        name="approval",
    ),
]
