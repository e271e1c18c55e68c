"""The detail pages (card, order, subject), the exports and the report downloads over HTTP:
who may see and do what, clear errors with nothing changed, and exported numbers equal to the
dashboard's."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tongban.cases.models import CaseEvent
from tongban.supervision import kpis, services
from tongban.supervision.models import Card, MonthlyReport, OrderStatus, SupervisionOrder
from tongban.supervision.views.console import dashboard_data

from .test_pages import client_for, personas  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


@pytest.fixture
def red_card(november, late_case):
    services.supervision_sweep()
    return Card.objects.get(subject_ref=late_case.case_no)


@pytest.fixture
def order(november, late_case, supervisor):
    return services.supervision_order_open(
        actor=supervisor, kind="case", ref=late_case.case_no, requirement="说明超期原因"
    )


def test_detail_pages_permission_matrix(red_card, order, late_case, personas):  # noqa: F811
    urls = [
        f"/console/supervision/cards/{red_card.pk}/",
        f"/console/supervision/orders/{order.pk}/",
        f"/console/supervision/subjects/case/{late_case.case_no}/",
    ]
    # the case belongs to 民政局 (mzj): its head sees it, the head of 市场监管局 does not
    expected = {
        "anonymous": 302,
        "applicant": 403,
        "clerk": 403,
        "head": 200,
        "other_head": 404,
        "supervisor": 200,
    }
    for url in urls:
        for who, status in expected.items():
            assert client_for(personas[who]).get(url).status_code == status, (who, url)


def test_card_resolution_over_http(red_card, personas):  # noqa: F811
    url = f"/console/supervision/cards/{red_card.pk}/"
    head, sup = client_for(personas["head"]), client_for(personas["supervisor"])
    # a head cannot sign a card off
    assert head.post(url, {"action": "resolve", "explanation": "已办"}).status_code == 403
    # a supervisor cannot resolve without an explanation: a clear error, nothing changed
    r = sup.post(url, {"action": "resolve", "explanation": ""})
    assert r.status_code == 400
    assert "销牌须有情况说明" in r.content.decode()
    assert Card.objects.get(pk=red_card.pk).resolved_at is None
    # the head explains, the supervisor signs off
    assert head.post(url, {"action": "explain", "explanation": "材料延误"}).status_code == 302
    assert sup.post(url, {"action": "resolve", "explanation": ""}).status_code == 302
    card = Card.objects.get(pk=red_card.pk)
    assert card.resolved_at is not None
    assert card.signed_off_by == personas["supervisor"]
    assert card.explanation == "材料延误"
    # resolved: immutable
    r = sup.post(url, {"action": "resolve", "explanation": "再改"})
    assert r.status_code == 400
    assert Card.objects.get(pk=red_card.pk).explanation == "材料延误"
    assert Card.objects.filter(pk=red_card.pk).exists()


def test_order_over_http(order, late_case, personas):  # noqa: F811
    url = f"/console/supervision/orders/{order.pk}/"
    head, sup = client_for(personas["head"]), client_for(personas["supervisor"])
    r = head.post(url, {"action": "respond", "response": ""})
    assert r.status_code == 400
    assert SupervisionOrder.objects.get(pk=order.pk).status == OrderStatus.OPEN
    assert head.post(url, {"action": "respond", "response": "已加派人手"}).status_code == 302
    assert head.post(url, {"action": "close"}).status_code == 403
    assert sup.post(url, {"action": "close"}).status_code == 302
    assert SupervisionOrder.objects.get(pk=order.pk).status == OrderStatus.CLOSED
    assert list(
        CaseEvent.objects.filter(case=late_case)
        .order_by("seq")
        .values_list("action", flat=True)[2:]
    ) == ["supervision_order", "order_response"]


def test_subject_page_opens_an_order(november, late_case, personas):  # noqa: F811
    url = f"/console/supervision/subjects/case/{late_case.case_no}/"
    sup = client_for(personas["supervisor"])
    r = sup.post(url, {"action": "order", "requirement": "", "due": ""})
    assert r.status_code == 400
    assert SupervisionOrder.objects.count() == 0
    r = sup.post(url, {"action": "order", "requirement": "请说明超期原因", "due": "2026-11-19"})
    assert r.status_code == 400
    assert "答复期限须在今天之后。" in r.content.decode()
    assert SupervisionOrder.objects.count() == 0
    r = sup.post(url, {"action": "order", "requirement": "请说明超期原因", "due": "2026-11-27"})
    assert r.status_code == 302
    assert f"{SupervisionOrder.objects.get().due:%Y-%m-%d}" == "2026-11-27"


def test_exports_equal_the_dashboard(november, october, personas):  # noqa: F811
    sup = client_for(personas["supervisor"])
    data = dashboard_data(personas["supervisor"], kpis.parse_month("2026-10"), kpis.ALL)
    r = sup.get("/console/supervision/dashboard/?month=2026-10&export=kpis")
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    rows = {row[0]: row[1] for row in rows_of(r)[1:]}
    assert rows["受理办件数"] == "5"
    assert rows["办结办件数"] == "3"
    assert rows["按时办结率"] == "66.67"
    assert rows["超期办件数"] == "2"
    assert len(rows) == len(kpis.KPIS)
    for chart in data["charts"]:
        r = sup.get(f"/console/supervision/dashboard/?month=2026-10&export={chart['id']}")
        assert r.status_code == 200, chart["id"]
        assert len(rows_of(r)) == len(chart["rows"]) + 1
    assert sup.get("/console/supervision/dashboard/?month=2026-10&export=nope").status_code == 404
    # the list behind a number, and its CSV, have exactly that many cases
    r = sup.get("/console/supervision/list/?count=overdue&month=2026-10&format=csv")
    listed = sorted(row[0] for row in rows_of(r)[1:])
    assert listed == sorted([october["late"].case_no, october["open_overdue"].case_no])
    r = sup.get("/console/supervision/performance/?month=2026-10&format=departments.csv")
    assert r.status_code == 200
    assert rows_of(r)[0] == ["名称", "部门", "好评率", "按时办结率", "差评整改率", "得分"]


def test_report_downloads_and_generation(november, october, personas):  # noqa: F811
    sup, head = client_for(personas["supervisor"]), client_for(personas["head"])
    assert (
        head.post("/console/supervision/reports/generate/", {"month": "2026-10"}).status_code == 403
    )
    r = sup.post("/console/supervision/reports/generate/", {"month": "2026-12"}, follow=True)
    assert "2026-12 还没有到，不能生成这个月的报告。" in r.content.decode()
    assert MonthlyReport.objects.count() == 0
    r = sup.post("/console/supervision/reports/generate/", {"month": "2026-10"})
    assert r.status_code == 302
    assert MonthlyReport.objects.count() == 1
    r = sup.get("/console/supervision/reports/2026-10.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
    assert wb.sheetnames[0] == "汇总"
    r = sup.get("/console/supervision/reports/2026-10.pdf")
    assert b"".join(r.streaming_content)[:5] == b"%PDF-"
    assert head.get("/console/supervision/reports/2026-10.pdf").status_code == 403
    assert sup.get("/console/supervision/reports/2026-09.pdf").status_code == 404
    # regenerating replaces the month's report
    sup.post("/console/supervision/reports/generate/", {"month": "2026-10"})
    assert MonthlyReport.objects.count() == 1


def list_refs(client, query: str) -> list[str]:
    r = client.get("/console/supervision/list/?" + query + "&format=csv")
    assert r.status_code == 200, query
    return sorted(row[0] for row in rows_of(r)[1:])


def test_every_chart_links_to_the_cases_behind_it(november, october, person, personas):  # noqa: F811
    from tongban.ratings.models import Rating

    from .conftest import at

    instant, late = october["instant"], october["late"]
    for case, level, channel in ((instant, 5, "web"), (late, 1, "device")):
        Rating.objects.create(
            service_kind="case",
            service_ref=case.case_no,
            department_id=case.department_id,
            item_code="X",
            channel=channel,
            level=level,
            person=person,
            real_name=True,
            rated_at=at("2026-10-21"),
        )
    sup = client_for(personas["supervisor"])
    data = dashboard_data(personas["supervisor"], kpis.parse_month("2026-10"), kpis.ALL)
    for chart in data["charts"]:
        assert len(chart["links"]) == len(chart["rows"]), chart["id"]
        assert all(chart["links"]), chart["id"]
        # the column whose number the link lists (the cards chart links to the cards list)
        column = {"departments": 2, "cards": None}.get(chart["id"], 1)
        for link, row in zip(chart["links"], chart["rows"], strict=True):
            r = sup.get(link)
            assert r.status_code == 200, (chart["id"], link)
            if column is not None:
                listed = sup.get(link + "&format=csv")
                assert len(rows_of(listed)) - 1 == row[column], (chart["id"], link)
    # the week of 5–11 October: the two cases accepted on 9 October
    refs = list_refs(sup, "count=accepted&from=2026-10-05&to=2026-10-11")
    assert refs == sorted([instant.case_no, late.case_no])
    # the channel slice: the one window case
    assert list_refs(sup, "count=accepted&month=2026-10&channel=window") == [late.case_no]
    # the rating slices
    assert list_refs(sup, "count=rated&month=2026-10&level=1") == [late.case_no]
    assert list_refs(sup, "count=rated&month=2026-10&rating_channel=web") == [instant.case_no]
    # bad drill-down parameters: a clear message
    for query, message in (
        ("count=accepted&from=2026-10-11&to=2026-10-05", "日期范围不对"),
        ("count=accepted&month=2026-10&channel=fax", "没有这个渠道。"),
        ("count=rated&month=2026-10&level=9", "没有这个评价等级。"),
        ("count=accepted&month=2026-10&street=987654", "没有编号为 987654 的区划。"),
    ):
        r = sup.get("/console/supervision/list/?" + query)
        assert r.status_code == 400, query
        assert message in r.content.decode(), query


def test_cards_list_filters_by_department(red_card, mzj, scjg, personas):  # noqa: F811
    sup = client_for(personas["supervisor"])
    r = sup.get(f"/console/supervision/cards/?department={mzj.pk}")
    assert red_card.subject_ref in r.content.decode()
    assert "共 1 张" in r.content.decode()
    r = sup.get(f"/console/supervision/cards/?department={scjg.pk}")
    assert red_card.subject_ref not in r.content.decode()
    assert "没有监察牌。" in r.content.decode()
    # a head asking for another department's cards still sees only their own (none there)
    r = client_for(personas["other_head"]).get(f"/console/supervision/cards/?department={mzj.pk}")
    assert red_card.subject_ref not in r.content.decode()
