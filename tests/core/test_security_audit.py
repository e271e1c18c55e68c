"""The security-event audit log: what is recorded, that no one can change or delete it, the
retention purge, and the audit administrator's page and CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from tongban.core.models import SecurityEvent
from tongban.core.models.security import ImmutableRecord
from tongban.core.security import audit_purge, security_event_record

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))


def event_at(when: dt.datetime, kind: str = "login_ok", actor_name: str = "clerk"):
    with time_machine.travel(when, tick=False):
        return security_event_record(
            kind=kind, actor_name=actor_name, success=kind != "login_failed"
        )


# ---------------------------------------------------------------- what is recorded


def test_login_failure_login_and_logout_are_recorded(clerk):
    client = Client(HTTP_USER_AGENT="pytest-browser/1.0")
    client.post("/console/login/", {"username": "clerk", "password": "wrong-password-1"})
    client.post("/console/login/", {"username": "clerk", "password": PASSWORD})
    client.post("/console/logout/")
    events = list(SecurityEvent.objects.order_by("id"))
    assert [(e.kind, e.actor_name, e.success) for e in events] == [
        ("login_failed", "clerk", False),
        ("login_ok", "clerk", True),
        ("logout", "clerk", True),
    ]
    assert events[1].actor_id == clerk.pk
    assert events[1].ip == "127.0.0.1"
    assert events[1].user_agent == "pytest-browser/1.0"
    assert "wrong-password-1" not in str(list(SecurityEvent.objects.values()))


def test_an_idle_timeout_is_recorded_as_such(settings, clerk_client):
    settings.TONGBAN_STAFF_IDLE_MINUTES = 30
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as traveller:
        clerk_client.get("/console/")
        traveller.shift(dt.timedelta(minutes=31))
        clerk_client.get("/console/")
    assert kinds()[-1] == "session_timeout"


def test_a_rate_limit_hit_is_recorded_once_per_window(settings, clerk):
    cache.clear()
    settings.TONGBAN_RATE_LIMITS = {**django_settings.TONGBAN_RATE_LIMITS, "login": (2, 0, 60)}
    client = Client()
    statuses = [
        client.post("/console/login/", {"username": "x", "password": "y"}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 429, 429, 429]
    limited = SecurityEvent.objects.get(kind="rate_limited")
    assert (limited.target, limited.success, limited.detail["scope"]) == (
        "/console/login/",
        False,
        "login",
    )
    cache.clear()


# ---------------------------------------------------------------- append only


def test_events_cannot_be_changed_or_deleted():
    event = security_event_record(kind="login_ok", actor_name="clerk")
    event.actor_name = "someone-else"
    with pytest.raises(ImmutableRecord):
        event.save()
    with pytest.raises(ImmutableRecord):
        event.delete()
    with pytest.raises(ImmutableRecord):
        SecurityEvent.objects.filter(pk=event.pk).update(actor_name="x")
    with pytest.raises(ImmutableRecord):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.get().actor_name == "clerk"


def test_the_audit_page_offers_no_change(audit_admin_client):
    security_event_record(kind="login_ok", actor_name="clerk")
    assert audit_admin_client.post("/console/security/audit/").status_code in (403, 405)
    assert SecurityEvent.objects.filter(actor_name="clerk").count() == 1


# ---------------------------------------------------------------- retention


def test_purge_deletes_only_what_is_older_than_retention():
    now = timezone.now()
    old = event_at(now - dt.timedelta(days=181))
    edge = event_at(now - dt.timedelta(days=179, hours=23))
    new = event_at(now - dt.timedelta(days=1))
    counts = audit_purge(now=now)
    assert counts["security_events"] == 1
    left = set(SecurityEvent.objects.exclude(kind="audit_purged").values_list("pk", flat=True))
    assert left == {edge.pk, new.pk}
    assert old.pk not in left
    purge = SecurityEvent.objects.get(kind="audit_purged")
    assert purge.detail["retention_days"] == 180
    assert purge.detail["security_events"] == 1


def test_a_longer_retention_keeps_more(settings):
    settings.TONGBAN_AUDIT_RETENTION_DAYS = 400
    now = timezone.now()
    event_at(now - dt.timedelta(days=300))
    event_at(now - dt.timedelta(days=401))
    assert audit_purge(now=now)["security_events"] == 1
    assert SecurityEvent.objects.exclude(kind="audit_purged").count() == 1


def test_the_purge_command_and_its_schedule():
    event_at(timezone.now() - dt.timedelta(days=365))
    out = io.StringIO()
    call_command("audit", "purge", stdout=out)
    assert out.getvalue().startswith("audit purge: retention 180 days; deleted security_events 1")
    assert django_settings.TONGBAN_SCHEDULE["audit-purge"][1] == "audit purge"


def test_a_retention_under_180_days_is_refused_at_start_up(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongban.config.settings.local",
        "TONGBAN_DATA_DIR": str(tmp_path),
        "TONGBAN_AUDIT_RETENTION_DAYS": "90",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "TONGBAN_AUDIT_RETENTION_DAYS=90: audit logs must be kept at least 180 days" in (
        done.stderr
    )


# ---------------------------------------------------------------- the audit administrator's page


@pytest.fixture
def history():
    base = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    event_at(base, "login_ok", "clerk")
    event_at(base + dt.timedelta(days=1), "login_failed", "clerk")
    event_at(base + dt.timedelta(days=2), "login_failed", "reviewer")
    event_at(base + dt.timedelta(days=3), "role_granted", "secadmin")


def test_the_audit_page_filters_by_kind_actor_and_date(audit_admin_client, history):
    page = audit_admin_client.get("/console/security/audit/?kind=login_failed")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count(">登录失败</td>") == 2
    assert ">授予角色</td>" not in html
    by_actor = audit_admin_client.get("/console/security/audit/?actor=reviewer").content.decode()
    assert by_actor.count(">reviewer</td>") == 1 and ">clerk</td>" not in by_actor
    by_date = audit_admin_client.get(
        "/console/security/audit/?date_from=2026-03-03&date_to=2026-03-04"
    ).content.decode()
    assert by_date.count(">登录失败</td>") == 2
    assert ">登录成功</td>" not in by_date.split("<tbody>")[1].split("auditor")[0]


def test_a_backwards_date_range_is_an_error(audit_admin_client):
    page = audit_admin_client.get(
        "/console/security/audit/?date_from=2026-03-05&date_to=2026-03-01"
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert "<title>错误：" in html
    assert "截止日期不能早于起始日期。" in html


def test_the_csv_export_and_its_own_event(audit_admin_client, history):
    response = audit_admin_client.get("/console/security/audit/export.csv?kind=login_failed")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["时间", "事件类型", "事件", "成功", "操作人", "IP", "客户端", "对象", "详情"]
    assert [(r[1], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("login_failed", "登录失败", "0", "reviewer"),
        ("login_failed", "登录失败", "0", "clerk"),
    ]
    assert rows[1][0] == "2026-03-04T17:00:00+08:00"
    export = SecurityEvent.objects.get(kind="audit_exported")
    assert export.actor_name == "auditor"
    assert export.detail == {"kind": "login_failed", "rows": 2}
