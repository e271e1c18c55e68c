"""An ID number and a mobile number written through every logging path never reach the output:
the app loggers, the security logger, django.request on a 500, exceptions with tracebacks, and
the scheduler's stored command output."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from tests.catalog.specs import department, spec
from tests.core.test_masking import captured
from tests.factories import PersonFactory, UserFactory, make_id_number
from tongban.cases.services import case_create
from tongban.catalog.services import item_save_spec
from tongban.core import scheduler
from tongban.core.models import ScheduledRun

ID = make_id_number(5)
MOBILE = "13812345678"
ID_MASKED = ID[:4] + "*" * 10 + ID[-4:]
MOBILE_MASKED = "138****5678"

APP_LOGGERS = [
    "tongban.cases",
    "tongban.hotline",
    "tongban.hotline.dispatch",
    "tongban.rules",
    "tongban.tasks",
    "tongban.notifications",
    "tongban.core.security",
    "tongban.core.scheduler",
    "tongban.licences",
    "tongban.ratings",
    "tongban.hall",
    "tongban.core.personal_data",
    "django.db.backends",
    "django.security.csrf",
    "django.request",
    "py.warnings",
]


def assert_clean(text: str) -> None:
    assert ID not in text
    assert ID.lower() not in text
    assert MOBILE not in text
    assert "138 1234 5678" not in text


@pytest.mark.parametrize("name", APP_LOGGERS)
def test_every_logger_masks_messages_args_and_tracebacks(name):
    log = logging.getLogger(name)
    with captured(name) as out:
        log.warning("申请人 %s 手机 %s", ID, MOBILE)
        log.warning("来电 %(phone)s 证件 %(id)s", {"phone": MOBILE, "id": ID})
        log.error(f"拼接 {ID} / +86 138 1234 5678")
        try:
            raise ValueError(f"person {ID} phone {MOBILE}")
        except ValueError:
            log.exception("处理 %s 失败", ID)
        log.warning("stack", stack_info=True, extra={"who": ID})
    text = out.getvalue()
    assert f"申请人 {ID_MASKED} 手机 {MOBILE_MASKED}" in text
    assert f"来电 {MOBILE_MASKED} 证件 {ID_MASKED}" in text
    assert f"ValueError: person {ID_MASKED} phone {MOBILE_MASKED}" in text
    assert "Traceback (most recent call last)" in text
    assert_clean(text)


def _boom(request, number):
    raise RuntimeError(f"lookup of {number} ({MOBILE}) failed")


def _ok(request):
    return HttpResponse("ok")


urlpatterns = [path("boom/<str:number>/", _boom), path("ok/", _ok)]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_500_logged_by_django_request_is_masked():
    client = Client(raise_request_exception=False)
    with captured("django.request") as out:
        response = client.get(f"/boom/{ID}/?phone={MOBILE}")
    assert response.status_code == 500
    text = out.getvalue()
    assert f"Internal Server Error: /boom/{ID_MASKED}/" in text
    assert f"RuntimeError: lookup of {ID_MASKED} ({MOBILE_MASKED}) failed" in text
    assert_clean(text)


@pytest.mark.django_db
def test_scheduler_stores_and_logs_command_output_masked(settings):
    settings.TONGBAN_SCHEDULE = {
        "leak": ("* * * * *", f"keys rotate --batch {ID}-{MOBILE}", "a test")
    }
    with captured("tongban") as out:
        (outcome,) = scheduler.run_due(only="leak")
    assert outcome.status == "failed"
    stored = ScheduledRun.objects.get(job="leak").output
    assert ID_MASKED in stored
    assert_clean(stored + outcome.output + out.getvalue())


@pytest.mark.django_db
def test_form_values_saved_rotated_and_counted_never_reach_the_log(settings):
    """The new paths: an application form holding an ID number and a mobile (encrypted in the
    JSON column) saved (the SQL it sends), then ``keys status`` and ``keys rotate``: neither
    the SQL log, the app log nor the command output carries a number."""
    fields = [
        {"code": "phone", "label": "联系电话", "type": "phone"},
        {"code": "spouse_id", "label": "配偶身份证号", "type": "id_number"},
    ]
    department("mzj", 7)
    version = item_save_spec(spec=spec("mzj", form_fields=fields), publish=True)
    user = UserFactory(username="zhang")
    PersonFactory(name="张晓明", user=user)
    out = io.StringIO()
    with captured("django") as sql, captured("tongban") as log:
        with CaptureQueriesContext(connection) as queries:
            case = case_create(
                actor=user,
                item_code=version.item.implementation_code,
                applicant=user.person,
                channel="web",
                answers={"self": "yes"},
                form_data={"phone": MOBILE, "spouse_id": ID},
            )
        call_command("keys", "status", stdout=out)
        call_command("keys", "rotate", stdout=out)
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert any("cases_case" in w for w in writes)  # the SQL sent carries envelopes only
    assert "cases.Case.form_data: dev1=2" in out.getvalue()
    assert_clean(out.getvalue() + log.getvalue() + sql.getvalue() + "\n".join(writes))
    assert case.form_data["spouse_id"] == ID
