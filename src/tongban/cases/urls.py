"""The applicant's pages of cases: online application (申报) and 我的办件."""

from django.urls import path

from .views import portal, portal_bundles, portal_policies, portal_review

app_name = "cases"

urlpatterns = [
    path("apply/<str:code>/", portal.apply_start, name="apply"),
    path("my/cases/", portal.my_cases, name="my-cases"),
    path("my/cases/<str:case_no>/", portal.case_page, name="case"),
    path("my/cases/<str:case_no>/apply/", portal.tasks, name="tasks"),
    path("my/cases/<str:case_no>/apply/form/", portal.form_page, name="form"),
    path("my/cases/<str:case_no>/apply/form/<slug:field>/", portal.form_page, name="form-field"),
    path("my/cases/<str:case_no>/apply/materials/", portal.materials, name="materials"),
    path(
        "my/cases/<str:case_no>/apply/materials/<int:seq>/",
        portal.material_add,
        name="material-add",
    ),
    path(
        "my/cases/<str:case_no>/apply/materials/remove/<int:pk>/",
        portal.material_remove,
        name="material-remove",
    ),
    path("my/cases/<str:case_no>/apply/check/", portal.check, name="check"),
    path("my/cases/<str:case_no>/submitted/", portal.confirmation, name="confirmation"),
    path("my/cases/<str:case_no>/withdraw/", portal.withdraw, name="withdraw"),
    path("my/cases/<str:case_no>/resubmit/", portal.resubmit, name="resubmit"),
    path("my/cases/<str:case_no>/human-review/", portal_review.human_review, name="human-review"),
    path("my/policies/", portal_policies.policies, name="policies"),
    # [B] 一件事 (b1)
    path("apply/bundles/<slug:code>/", portal_bundles.bundle_apply_page, name="bundle-apply"),
    path("my/bundles/", portal_bundles.my_bundles, name="my-bundles"),
    path("my/bundles/<str:bundle_no>/", portal_bundles.bundle_page, name="bundle"),
    path(
        "my/bundles/<str:bundle_no>/continue/",
        portal_bundles.bundle_continue,
        name="bundle-continue",
    ),
]
