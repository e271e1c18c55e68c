"""The permission matrix of every supervision page, the dashboard's numbers, the report."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.core.permissions import Role
from tongban.supervision import kpis
from tongban.supervision.models import MonthlyReport
from tongban.supervision.services.reporting import monthly_report_generate
from tongban.supervision.views.console import dashboard_data

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/supervision/",
    "/console/supervision/cards/",
    "/console/supervision/orders/",
    "/console/supervision/dashboard/?month=2026-10",
    "/console/supervision/list/?count=accepted&month=2026-10",
    "/console/supervision/performance/?month=2026-10",
    "/console/supervision/reports/",
]


def client_for(user) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


@pytest.fixture
def personas(mzj, scjg, head, other_head, supervisor):
    applicant = UserFactory(username="applicant")
    PersonFactory(name="王小红", user=applicant)
    return {
        "anonymous": None,
        "applicant": applicant,
        "clerk": make_staff(Role.WINDOW_CLERK, department=mzj, username="clerk"),
        "head": head,
        "other_head": other_head,
        "supervisor": supervisor,
    }


@pytest.mark.parametrize("url", PAGES)
def test_permission_matrix(november, personas, url):
    expected = {
        "anonymous": 302,
        "applicant": 403,
        "clerk": 403,
        "head": 200,
        "other_head": 200,
        "supervisor": 200,
    }
    for who, status in expected.items():
        response = client_for(personas[who]).get(url)
        assert response.status_code == status, (who, url)


def test_a_head_sees_only_their_department(november, personas, scjg, mzj):
    head = client_for(personas["head"])
    assert head.get(f"/console/supervision/dashboard/?department={scjg.pk}").status_code == 403
    assert head.get(f"/console/supervision/dashboard/?department={mzj.pk}").status_code == 200
    assert (
        head.get(f"/console/supervision/list/?count=accepted&department={scjg.pk}").status_code
        == 403
    )
    assert head.get("/console/supervision/reports/2026-10.xlsx").status_code == 403


def test_bad_filters_are_refused_clearly(november, personas):
    sup = client_for(personas["supervisor"])
    r = sup.get("/console/supervision/dashboard/?department=987654")
    assert r.status_code == 400
    assert "没有编号为 987654 的部门。" in r.content.decode()
    r = sup.get("/console/supervision/dashboard/?month=2026-13")
    assert r.status_code == 400
    r = sup.get("/console/supervision/list/?count=nonsense&month=2026-10")
    assert r.status_code == 400


def test_subject_page_urges(november, late_case, personas):
    sup = client_for(personas["supervisor"])
    url = f"/console/supervision/subjects/case/{late_case.case_no}/"
    r = sup.post(url, {"action": "urge", "message": ""})
    assert r.status_code == 400
    assert "请填写催办内容。" in r.content.decode()
    r = sup.post(url, {"action": "urge", "message": "请加快"})
    assert r.status_code == 302
    assert client_for(personas["other_head"]).get(url).status_code == 404
    r = client_for(personas["head"]).post(url, {"action": "urge", "message": "x"})
    assert r.status_code == 403


def test_report_workbook_figures_equal_the_dashboards(november, october, supervisor):
    report = monthly_report_generate(month=kpis.parse_month("2026-10"))
    data = dashboard_data(supervisor, kpis.parse_month("2026-10"), kpis.ALL)
    wb = load_workbook(io.BytesIO(report.workbook.read()), read_only=True)
    rows = {r[0]: r[1] for r in wb.worksheets[0].iter_rows(min_row=4, values_only=True)}
    for k in kpis.KPIS:
        expected = k.value(data["total"].counts)
        got = rows[str(k.label)]
        assert (None if got is None else float(got)) == (
            None if expected is None else float(expected)
        ), k.key
    assert report.summary.startswith("10月，全区受理办件 5 件，办结 3 件，按时办结率 66.67%")
    listed = [r[0] for r in wb["清单-overdue"].iter_rows(min_row=2, values_only=True)]
    assert sorted(listed) == sorted([october["late"].case_no, october["open_overdue"].case_no])
    assert report.pdf.read(5) == b"%PDF-"


def test_report_for_a_future_month_is_refused(november, item):
    with pytest.raises(CommandError) as exc:
        call_command("report", "monthly", "2026-12")
    assert str(exc.value) == "2026-12 还没有到，不能生成这个月的报告。"
    with pytest.raises(CommandError):
        call_command("report", "monthly", "2026/10")
    assert MonthlyReport.objects.count() == 0


def test_report_command(november, october, capsys):
    call_command("report", "monthly", "2026-10")
    assert MonthlyReport.objects.get().summary.startswith("10月，全区受理办件 5 件")
    call_command("supervision", "sweep")
