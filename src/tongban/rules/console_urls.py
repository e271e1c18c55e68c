"""Staff pages of the rules app under /console/rules/."""

from django.urls import path

from .views import console

app_name = "rules-console"

urlpatterns = [
    path("", console.rule_set_list, name="rule-sets"),
    path("sets/new/", console.rule_set_edit, name="rule-set-new"),
    path("sets/<int:pk>/", console.rule_set_edit, name="rule-set"),
    path("sets/<int:pk>/copy/", console.rule_set_copy, name="rule-set-copy"),
    path("sets/<int:pk>/replay/", console.rule_set_replay, name="rule-set-replay"),
    path("check/", console.rule_check, name="check"),
    path("reports/<int:pk>/", console.report_page, name="report"),
    path("reports/<int:pk>/activate/", console.report_activate, name="report-activate"),
    path("connectors/", console.connector_list, name="connectors"),
    path("calls/", console.call_log, name="calls"),
    path("policies/", console.policy_list, name="policies"),
]
