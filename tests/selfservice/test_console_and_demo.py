"""The locker console pages across personas, the flag command, and the demo loader."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.core.permissions import Role
from tongban.selfservice import demo
from tongban.selfservice.models import Deposit, DepositStatus, Kiosk, LockerBank

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 9, 14, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _at_t0():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_personas_on_the_lockers_page(clerk, bank):
    assert Client().get("/console/selfservice/lockers/").status_code == 302
    applicant = UserFactory(username="someone")
    PersonFactory(user=applicant)
    assert _client(applicant).get("/console/selfservice/lockers/").status_code == 403
    reviewer = make_staff(Role.REVIEWER, username="rev2")
    page = _client(reviewer).get("/console/selfservice/lockers/")
    assert page.status_code == 403
    assert "只有窗口工作人员可以管理自助取件柜。" in page.content.decode()
    ok = _client(clerk).get("/console/selfservice/lockers/")
    assert ok.status_code == 200
    html = ok.content.decode()
    assert "A-01" in html and "空闲 4 格" in html


def test_place_from_the_console_and_refusals(clerk, bank, issued):
    client = _client(clerk)
    compartment = bank.compartments.get(number=3)
    bad = client.post("/console/selfservice/lockers/", {"case_no": "", "compartment": ""})
    assert bad.status_code == 422
    assert "<title>错误：自助取件柜" in bad.content.decode()
    unknown = client.post(
        "/console/selfservice/lockers/", {"case_no": "NOPE", "compartment": compartment.pk}
    )
    assert unknown.status_code == 422
    assert "办件编号：没有找到办件 NOPE。" in unknown.content.decode()
    assert Deposit.objects.count() == 0
    done = client.post(
        "/console/selfservice/lockers/",
        {"case_no": issued.case_no, "compartment": compartment.pk},
    )
    assert done.status_code == 302
    deposit = Deposit.objects.get()
    assert deposit.compartment == compartment
    page = client.get(f"/console/selfservice/lockers/deposits/{deposit.pk}/").content.decode()
    assert issued.case_no in page and "存件" in page
    resend = client.post(
        f"/console/selfservice/lockers/deposits/{deposit.pk}/resend/", {"version": 1}
    )
    assert resend.status_code == 302
    assert Deposit.objects.get().version == 2
    removed = client.post(
        f"/console/selfservice/lockers/deposits/{deposit.pk}/",
        {"action": "remove", "version": 2, "carrier": "", "tracking_no": ""},
    )
    assert removed.status_code == 302
    assert Deposit.objects.get().status == DepositStatus.REMOVED


def test_the_overdue_tab_and_the_flag_command(clerk, bank, issued, _at_t0):
    client = _client(clerk)
    compartment = bank.compartments.get(number=1)
    client.post(
        "/console/selfservice/lockers/", {"case_no": issued.case_no, "compartment": compartment.pk}
    )
    _at_t0.shift(dt.timedelta(days=8))
    client = _client(clerk)  # the session of a week ago has expired
    page = client.get("/console/selfservice/lockers/?tab=overdue").content.decode()
    assert "1 件逾期未取，需转邮寄送达。" in page
    out = io.StringIO()
    call_command("lockers", "flag-uncollected", stdout=out)
    assert out.getvalue().strip() == "lockers flag-uncollected: 1 flagged"
    call_command("lockers", "flag-uncollected", stdout=out)
    assert out.getvalue().strip().endswith("lockers flag-uncollected: 0 flagged")
    assert Deposit.objects.get().status == DepositStatus.FLAGGED
    status = io.StringIO()
    call_command("lockers", "status", stdout=status)
    assert status.getvalue().startswith("A\tA号取件柜\tfree 3\toccupied 1\tof 4")


def test_demo_is_idempotent(clerk, issue_case):
    cases = [issue_case() for _ in range(5)]
    first = demo.load(lambda _text: None)
    assert first == {
        "locker banks": 2,
        "compartments": 24,
        "kiosks": 3,
        "deposits": 5,
        "collected": 1,
        "flagged for mailing": 1,
    }
    assert LockerBank.objects.count() == 2
    assert Kiosk.objects.count() == 3
    statuses = sorted(Deposit.objects.values_list("status", flat=True))
    assert statuses == ["collected", "flagged", "placed", "placed", "placed"]
    assert len(cases) == 5
    assert demo.load(lambda _text: None) == {}


def test_the_locker_api(clerk, bank, issued):
    from tongban.core.services import api_token_create

    _token, key = api_token_create(user=clerk)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = Client()
    compartment = bank.compartments.get(number=4)
    made = client.post(
        "/api/v1/selfservice/deposits",
        {"compartment_id": compartment.pk, "case_no": issued.case_no},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["compartment"], body["case_no"], body["status"]) == (
        "A-04",
        issued.case_no,
        "placed",
    )
    assert "code" not in body
    again = client.post(
        "/api/v1/selfservice/deposits",
        {"compartment_id": compartment.pk, "case_no": issued.case_no},
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 409
    assert again.json()["code"] == "compartment_busy"
    banks = client.get("/api/v1/selfservice/lockers", **auth).json()
    assert banks[0]["free"] == 3
    assert banks[0]["compartments"][3]["case_no"] == issued.case_no
    listed = client.get("/api/v1/selfservice/deposits?status=placed", **auth).json()
    assert [d["case_no"] for d in listed] == [issued.case_no]
    reviewer = make_staff(Role.REVIEWER, username="rev3")
    _t, other = api_token_create(user=reviewer)
    refused = client.get("/api/v1/selfservice/lockers", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert refused.status_code == 403
    assert client.get("/api/v1/selfservice/lockers").status_code == 401


def test_the_lockers_page_query_count(clerk, bank, issue_case, django_assert_max_num_queries):
    from tongban.selfservice import services as ss

    for n in (1, 2, 3):
        ss.deposit_place(
            actor=clerk,
            compartment_id=bank.compartments.get(number=n).pk,
            case_no=issue_case().case_no,
        )
    client = _client(clerk)
    client.get("/console/selfservice/lockers/")
    with django_assert_max_num_queries(14):
        assert client.get("/console/selfservice/lockers/").status_code == 200
