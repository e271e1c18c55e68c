"""Hotline reports (日报/周报/月报) against a hand-built dataset with known answers: rows written
straight into the tables with the times the figures read."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from tongban.core.errors import ValidationFailed
from tongban.core.permissions import Role
from tongban.hotline import reports
from tongban.hotline.models import (
    Callback,
    Ticket,
    TicketAssignment,
    TicketExtension,
    TicketReturn,
)

from .factories import staff

SH = dt.timezone(dt.timedelta(hours=8))
_numbers = itertools.count(1)
ADDRESS_A = "云溪区云溪街道望湖社区望湖路 12 号"
ADDRESS_B = "云溪区云溪街道望湖社区观澜路 3 号"
AS_OF = dt.datetime(2026, 6, 3, 12, 0, tzinfo=SH)


def t(day: str, hm: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day} {hm}").replace(tzinfo=SH)


def ticket(**fields) -> Ticket:
    n = next(_numbers)
    base = {
        "ticket_no": f"12345-TEST-{n:06d}",
        "source": "phone",
        "ticket_type": "complaint",
        "title": f"工单 {n}",
        "content": "内容",
        "status": "received",
    }
    base.update(fields)
    return Ticket.objects.create(**base)


def assignment(tk: Ticket) -> TicketAssignment:
    return TicketAssignment.objects.create(
        ticket=tk,
        department=tk.department,
        dispatched_at=tk.dispatched_at,
        sign_due=tk.sign_due,
        return_due=tk.sign_due,
        handle_due=tk.handle_due,
    )


@pytest.fixture
def data(world, operator):
    w = world
    common = {"street": w.yunxi, "region": w.wanghu}
    t0 = ticket(
        created_at=t("2026-06-01"), subject=w.ponding, address=ADDRESS_A, **common
    )  # the day before
    t1 = ticket(
        created_at=t("2026-06-02", "08:50"),
        subject=w.ponding,
        department=w.cgj,
        address=ADDRESS_A,
        status="closed",
        dispatched_at=t("2026-06-02", "09:00"),
        sign_due=t("2026-06-02", "09:30"),
        signed_at=t("2026-06-02", "09:20"),
        handle_due=t("2026-06-05", "17:00"),
        replied_at=t("2026-06-02", "15:00"),
        closed_at=t("2026-06-02", "16:00"),
        **common,
    )
    t2 = ticket(
        created_at=t("2026-06-02", "10:00"),
        source="web",
        subject=w.ponding,
        department=w.cgj,
        address=ADDRESS_A,
        status="handling",
        dispatched_at=t("2026-06-02", "10:00"),
        sign_due=t("2026-06-02", "10:30"),
        signed_at=t("2026-06-02", "11:00"),
        handle_due=t("2026-06-02", "18:00"),
        **common,
    )
    t3 = ticket(
        created_at=t("2026-06-02", "11:00"),
        subject=w.ponding,
        department=w.cgj,
        address=ADDRESS_A,
        status="merged",
        merged_into=t1,
        **common,
    )
    ticket(
        created_at=t("2026-06-02", "12:00"),
        source="grid",
        ticket_type="help",
        subject=w.noise,
        department=w.yunxi_unit,
        address=ADDRESS_B,
        status="closed",
        closed_at=t("2026-06-02", "12:05"),
        **common,
    )
    ticket(
        created_at=t("2026-06-02", "13:00"),
        ticket_type="consultation",
        status="closed",
        closed_at=t("2026-06-02", "13:05"),
    )
    ticket(
        created_at=t("2026-06-02", "23:59"),
        subject=w.water,
        department=w.zjj,
        street=w.donghu,
        region=w.hubin,
        address="云溪区东湖街道湖滨社区湖滨路 6 号",
        status="dispatched",
        dispatched_at=t("2026-06-02", "23:59"),
        sign_due=t("2026-06-04", "09:00"),
        handle_due=t("2026-06-10", "17:00"),
    )
    ticket(created_at=t("2026-06-03", "00:00"))  # the next day
    a1, a2 = assignment(t1), assignment(t2)
    a3 = TicketAssignment.objects.create(
        ticket=t3,
        department=w.cgj,
        status="withdrawn",
        dispatched_at=t("2026-06-02", "11:05"),
        sign_due=t("2026-06-02", "12:00"),
        return_due=t("2026-06-02", "12:00"),
        handle_due=t("2026-06-05", "17:00"),
    )
    for requested, decision, on in (
        (t("2026-06-02", "12:00"), "approved", a2),
        (t("2026-06-01", "12:00"), "refused", a2),
        (t("2026-06-02", "11:30"), "pending", a3),  # merged since: counted with its primary
    ):
        TicketReturn.objects.create(
            assignment=on,
            reason="not_our_duty",
            explanation="不属于本单位",
            requested_at=requested,
            requested_by=operator,
            decision=decision,
        )
    for requested, decision in (
        (t("2026-06-02", "14:00"), "pending"),
        (t("2026-06-02", "15:00"), "refused"),
        (t("2026-06-03", "09:00"), "approved"),
    ):
        TicketExtension.objects.create(
            assignment=a1,
            reason="需协调",
            requested_due=t("2026-06-09"),
            requested_at=requested,
            requested_by=operator,
            decision=decision,
        )
    for tk, status, sat, done in (
        (t1, "done", "satisfied", t("2026-06-02", "17:00")),
        (t0, "done", "dissatisfied", t("2026-06-02", "09:00")),
        (t2, "pending", "", None),
        (t0, "done", "basic", t("2026-06-03", "09:00")),
    ):
        Callback.objects.create(
            ticket=tk, due=t("2026-06-04"), status=status, satisfaction=sat, done_at=done
        )
    return w


@pytest.fixture
def day_report(data):
    return reports.build(reports.period_of("day", dt.date(2026, 6, 2)), now=AS_OF)


def rows(report_rows):
    return [(r.label, r.count) for r in report_rows]


def test_volume_counts_every_ticket_merged_included(day_report):
    r = day_report
    assert (r.volume, r.merged) == (6, 1)
    assert rows(r.by_type) == [("投诉", 4), ("咨询", 1), ("求助", 1)]
    assert rows(r.by_source) == [("电话", 4), ("网格员上报", 1), ("网站", 1)]
    assert rows(r.by_subject)[0] == ("道路积水", 3)
    assert sorted(rows(r.by_subject)[1:]) == [("停水", 1), ("噪音扰民", 1), ("未分类", 1)]
    assert rows(r.by_unit)[0] == ("云溪区城市管理局", 3)
    assert sorted(rows(r.by_unit)[1:]) == [
        ("云溪区住房和城乡建设局", 1),
        ("云溪街道便民服务中心", 1),
        ("未派单", 1),
    ]
    assert rows(r.by_street)[0] == ("云溪街道", 4)
    assert sorted(rows(r.by_street)[1:]) == [("东湖街道", 1), ("属地未识别", 1)]


def test_handling_counts_a_merged_group_once(day_report):
    h = day_report.handled
    assert h == {
        "tickets": 5,
        "dispatched": 3,
        "signed": 2,
        "signed_on_time": 1,
        "signed_late": 1,
        "sign_judged": 2,
        "replied": 1,
        "handled_on_time": 1,
        "handled_late": 1,
        "handle_judged": 2,
        "closed": 3,
        "closed_at_intake": 2,
    }
    assert str(day_report.sign_rate) == "50.0"
    assert str(day_report.handle_rate) == "50.0"


def test_returns_extensions_and_satisfaction_of_the_period(day_report):
    r = day_report
    assert r.returns == {"requested": 1, "approved": 1, "refused": 0, "pending": 0}
    assert r.extensions == {"requested": 2, "approved": 0, "refused": 1, "pending": 1}
    assert r.satisfaction == {
        "done": 2,
        "satisfied": 1,
        "basic": 0,
        "dissatisfied": 1,
        "solved": 0,
        "rated": 2,
    }
    assert str(r.satisfaction_rate) == "50.0"


def test_hot_topics_rise_against_the_previous_period(day_report):
    r = day_report
    assert next((x.label, x.count, x.previous, x.rise) for x in r.hot_subjects) == (
        "道路积水",
        3,
        1,
        2,
    )
    assert sorted((x.label, x.count, x.previous) for x in r.hot_subjects[1:]) == [
        ("停水", 1, 0),
        ("噪音扰民", 1, 0),
    ]
    assert [(x.label, x.count, x.previous) for x in r.hot_communities] == [
        ("望湖社区", 4, 1),
        ("湖滨社区", 1, 0),
    ]
    assert [(x.label, x.count, x.previous) for x in r.hot_addresses] == [(ADDRESS_A, 3, 1)]


def test_week_and_month_hold_the_day(data):
    week = reports.build(reports.period_of("week", dt.date(2026, 6, 3)), now=AS_OF)
    month = reports.build(reports.period_of("month", dt.date(2026, 6, 30)), now=AS_OF)
    assert week.period.start == dt.date(2026, 6, 1)  # a Monday
    assert (week.volume, month.volume) == (8, 8)
    assert week.period.label == "2026-06-01 至 2026-06-07 周报"
    assert month.period.label == "2026 年 6 月月报"


@pytest.mark.parametrize(
    ("kind", "day", "ok"),
    [
        ("day", "2026-06-03", True),  # today, so far
        ("day", "2026-06-04", False),
        ("week", "2026-06-07", True),  # this week has begun
        ("week", "2026-06-08", False),
        ("month", "2026-06-30", True),
        ("month", "2026-07-01", False),
    ],
)
def test_a_future_period_is_refused(kind, day, ok):
    today = dt.date(2026, 6, 3)
    if ok:
        assert reports.report_period(kind, dt.date.fromisoformat(day), today=today)
        return
    with pytest.raises(ValidationFailed) as info:
        reports.report_period(kind, dt.date.fromisoformat(day), today=today)
    assert info.value.field == "date"
    assert "尚未开始，不能生成未来期间的报表。" in info.value.message


def test_the_workbook_holds_the_figures(day_report):
    book = load_workbook(io.BytesIO(reports.workbook(day_report)))
    assert book.sheetnames == ["概况", "分类统计", "热点"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True) if row}
    assert summary["受理量（含并单）"] == "6"
    assert summary["按时签收率"] == "50.0%"
    assert summary["满意率（含基本满意）"] == "50.0%"
    hot = list(book["热点"].iter_rows(values_only=True))
    assert ("道路积水", 3, 1, 2) in hot


@pytest.fixture
def now_travel():
    with time_machine.travel(AS_OF, tick=False):
        yield


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


URL = "/console/hotline/reports/"


def test_the_report_page_and_download(data, now_travel, supervisor_h, operator):
    for user in (supervisor_h, operator):
        response = _client(user).get(URL, {"kind": "day", "date": "2026-06-02"})
        page = response.content.decode()
        assert response.status_code == 200
        assert "2026-06-02 日报" in page
        assert "50.0%" in page
    response = _client(supervisor_h).get(URL + "export/", {"kind": "day", "date": "2026-06-02"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="hotline-day-20260602.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["概况", "分类统计", "热点"]


def test_a_future_report_page_is_a_clear_error(data, now_travel, supervisor_h):
    for path in (URL, URL + "export/"):
        response = _client(supervisor_h).get(path, {"kind": "month", "date": "2026-07-01"})
        page = response.content.decode()
        assert response.status_code == 400
        assert "<title>错误：" in page
        assert "统计期间：2026 年 7 月月报 尚未开始，不能生成未来期间的报表。" in page


def test_bad_input_is_a_clear_error(data, now_travel, supervisor_h):
    response = _client(supervisor_h).get(URL, {"kind": "year", "date": "2026-13-01"})
    assert response.status_code == 400
    assert "请输入有效日期" in response.content.decode()


def test_handlers_and_grid_workers_cannot_read_the_reports(world, handler):
    grid = staff(Role.GRID_WORKER, world.yunxi_unit, "grid_r")
    for user in (handler, grid):
        assert _client(user).get(URL).status_code == 403
        assert (
            _client(user).get(URL + "export/", {"kind": "day", "date": "2026-06-02"}).status_code
            == 403
        )


def test_the_command_writes_the_workbook(data, now_travel, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out, target = StringIO(), tmp_path / "day.xlsx"
    call_command("hotline_report", "day", "2026-06-02", "--out", str(target), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "2026-06-02 日报"
    assert "  受理量（含并单）: 6" in lines
    assert load_workbook(target).sheetnames == ["概况", "分类统计", "热点"]
    with pytest.raises(CommandError, match="尚未开始"):
        call_command("hotline_report", "week", "2026-06-08", stdout=StringIO())
