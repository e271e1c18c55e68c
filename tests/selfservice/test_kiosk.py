"""The self-service terminal over HTTP: identification by ID number and SMS code (wrong code
refused, requests rate-limited), the idle logout, progress and printing of one's own cases
only, no links out of the kiosk, taking a number and the pickup page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client, override_settings

from tests.hall.conftest import build_hall
from tongban.core.models import Notification
from tongban.hall.models import QueueNumber
from tongban.selfservice.models import KioskCode

from .test_lockers import _place

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY_10 = dt.datetime(2026, 9, 14, 10, 0, tzinfo=SH)
START = "/kiosk/k1/"


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


def _sms_code(person) -> str:
    text = Notification.objects.filter(person=person, title="自助终端验证码").latest("id").body
    return re.search(r"验证码 (\d{6})", text).group(1)


def _identify(client: Client, person, next_url: str = "") -> object:
    sent = client.post(
        "/kiosk/k1/identify/", {"id_number": person.id_number, "action": "send", "next": next_url}
    )
    assert sent.status_code == 200
    return client.post(
        "/kiosk/k1/identify/",
        {
            "id_number": person.id_number,
            "code": _sms_code(person),
            "action": "verify",
            "next": next_url,
        },
    )


def test_start_page_is_elderly_mode_by_default_and_has_no_links_out(client, kiosk):
    page = client.get(START)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-mode="care"' in html
    assert 'data-kiosk-idle="120"' in html
    hrefs = re.findall(r'href="([^"]+)"', html)
    outside = [
        h
        for h in hrefs
        if not (h.startswith(START) or h.startswith("/static/") or h.startswith("#"))
        and not (h.startswith("/mode/") and h.endswith(f"?next={START}"))
    ]
    assert outside == []


def test_an_unknown_or_disabled_kiosk_is_not_found(client, kiosk):
    assert client.get("/kiosk/nope/").status_code == 404
    kiosk.is_active = False
    kiosk.save()
    assert client.get(START).status_code == 404


def test_identify_then_see_own_cases_and_print(client, kiosk, issued, applicant, issue_case):
    page = client.get("/kiosk/k1/cases/")
    assert page.status_code == 302
    assert page["Location"] == "/kiosk/k1/identify/?next=/kiosk/k1/cases/"
    done = _identify(client, applicant.person, next_url="/kiosk/k1/cases/")
    assert done.status_code == 302 and done["Location"] == "/kiosk/k1/cases/"
    listing = client.get("/kiosk/k1/cases/").content.decode()
    assert issued.case_no in listing
    assert "已出证" in listing
    detail = client.get(f"/kiosk/k1/cases/{issued.case_no}/")
    assert detail.status_code == 200
    assert detail["Cache-Control"] == "no-store"
    text = detail.content.decode()
    assert f"/kiosk/k1/cases/{issued.case_no}/acceptance.pdf" in text
    assert f"/kiosk/k1/cases/{issued.case_no}/receipt/" in text
    receipt = client.get(f"/kiosk/k1/cases/{issued.case_no}/receipt/").content.decode()
    assert "办件回执" in receipt and issued.case_no in receipt
    pdf = client.get(f"/kiosk/k1/cases/{issued.case_no}/approval.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/kiosk/k1/cases/{issued.case_no}/refusal.pdf").status_code == 404


def test_someone_elses_case_is_not_found(client, kiosk, other_applicant, issue_case):
    theirs = issue_case(other_applicant)
    from tests.factories import PersonFactory

    me = PersonFactory(name="王一")
    _identify(client, me)
    assert client.get(f"/kiosk/k1/cases/{theirs.case_no}/").status_code == 404
    assert client.get(f"/kiosk/k1/cases/{theirs.case_no}/receipt/").status_code == 404
    assert client.get(f"/kiosk/k1/cases/{theirs.case_no}/approval.pdf").status_code == 404


def test_a_wrong_code_is_refused_and_identifies_nobody(client, kiosk, applicant):
    person = applicant.person
    client.post("/kiosk/k1/identify/", {"id_number": person.id_number, "action": "send"})
    wrong = "000000" if _sms_code(person) != "000000" else "111111"
    page = client.post(
        "/kiosk/k1/identify/", {"id_number": person.id_number, "code": wrong, "action": "verify"}
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert "<title>错误：核验身份" in html
    assert "验证码不正确或已过期，请重新获取。" in html
    assert client.get("/kiosk/k1/cases/").status_code == 302
    assert KioskCode.objects.get().attempts == 1


def test_a_code_is_spent_after_five_wrong_tries(client, kiosk, applicant):
    person = applicant.person
    client.post("/kiosk/k1/identify/", {"id_number": person.id_number, "action": "send"})
    right = _sms_code(person)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        client.post(
            "/kiosk/k1/identify/",
            {"id_number": person.id_number, "code": wrong, "action": "verify"},
        )
    page = client.post(
        "/kiosk/k1/identify/", {"id_number": person.id_number, "code": right, "action": "verify"}
    )
    assert page.status_code == 422
    assert client.get("/kiosk/k1/cases/").status_code == 302


def test_an_expired_code_is_refused(client, kiosk, applicant, _monday):
    person = applicant.person
    client.post("/kiosk/k1/identify/", {"id_number": person.id_number, "action": "send"})
    code = _sms_code(person)
    _monday.shift(dt.timedelta(minutes=5, seconds=1))
    page = client.post(
        "/kiosk/k1/identify/", {"id_number": person.id_number, "code": code, "action": "verify"}
    )
    assert page.status_code == 422


def test_code_requests_are_rate_limited(client, kiosk, applicant, _monday):
    person = applicant.person
    first = client.post("/kiosk/k1/identify/", {"id_number": person.id_number, "action": "send"})
    assert "验证码已发送到手机 139****" in first.content.decode()
    again = client.post("/kiosk/k1/identify/", {"id_number": person.id_number, "action": "send"})
    assert again.status_code == 422
    assert "验证码已发送，请 60 秒后再重新获取。" in again.content.decode()
    for _ in range(4):
        _monday.shift(dt.timedelta(seconds=61))
        ok = client.post("/kiosk/k1/identify/", {"id_number": person.id_number, "action": "send"})
        assert ok.status_code == 200
    _monday.shift(dt.timedelta(seconds=61))
    sixth = client.post("/kiosk/k1/identify/", {"id_number": person.id_number, "action": "send"})
    assert "验证码获取过于频繁" in sixth.content.decode()
    assert KioskCode.objects.count() == 5


def test_unknown_and_invalid_id_numbers(client, kiosk):
    bad = client.post("/kiosk/k1/identify/", {"id_number": "110101199003071234", "action": "send"})
    assert bad.status_code == 422
    from tests.factories import make_id_number

    unknown = client.post(
        "/kiosk/k1/identify/", {"id_number": make_id_number(9999), "action": "send"}
    )
    assert unknown.status_code == 422
    assert "本平台没有该身份证号码的登记信息" in unknown.content.decode()
    assert KioskCode.objects.count() == 0


@override_settings(TONGBAN_KIOSK_IDLE_SECONDS=60)
def test_idle_visitor_is_signed_out_by_the_server(client, kiosk, applicant, _monday):
    _identify(client, applicant.person)
    assert client.get("/kiosk/k1/cases/").status_code == 200
    _monday.shift(dt.timedelta(seconds=59))
    assert client.get("/kiosk/k1/cases/").status_code == 200  # each request resets the limit
    _monday.shift(dt.timedelta(seconds=61))
    gone = client.get("/kiosk/k1/cases/")
    assert gone.status_code == 302 and gone["Location"] == START
    start = client.get(START).content.decode()
    assert "您已长时间未操作，为保护您的信息已自动退出。" in start
    assert client.get("/kiosk/k1/cases/").status_code == 302


def test_leave_and_the_idle_script_target(client, kiosk, applicant):
    _identify(client, applicant.person)
    out = client.get("/kiosk/k1/leave/?idle=1")
    assert out.status_code == 302 and out["Location"] == START
    assert client.get("/kiosk/k1/cases/").status_code == 302


def test_identity_does_not_carry_to_another_kiosk(client, kiosk, applicant):
    from tests.factories import make_kiosk

    make_kiosk("k2", name="二楼自助终端")
    _identify(client, applicant.person)
    assert client.get("/kiosk/k2/cases/").status_code == 302


def test_next_never_leaves_the_kiosk(client, kiosk, applicant):
    done = _identify(client, applicant.person, next_url="https://example.com/")
    assert done["Location"] == "/kiosk/k1/home/"


def test_take_a_number_at_the_kiosk(client, kiosk, mzj, item, applicant):
    kiosk.hall = build_hall(mzj, item=item)
    kiosk.save()
    page = client.get("/kiosk/k1/number/").content.decode()
    assert "综合受理" in page and "社保医保" in page
    _identify(client, applicant.person)
    taken = client.post("/kiosk/k1/number/", {"action": "group", "group": "A"})
    assert taken.status_code == 302
    number = QueueNumber.objects.get()
    assert (number.number, number.channel, number.person_id) == (
        "A001",
        "self_service",
        applicant.person.pk,
    )
    ticket = client.get(taken["Location"]).content.decode()
    assert "A001" in ticket and "前面还有 0 人等候。" in ticket
    assert Client().get(taken["Location"]).status_code == 404  # only the session that took it


def test_a_number_outside_opening_hours_is_refused(client, kiosk, mzj, item, _monday):
    kiosk.hall = build_hall(mzj, item=item)
    kiosk.save()
    _monday.move_to(dt.datetime(2026, 9, 14, 20, 0, tzinfo=SH))
    page = client.post("/kiosk/k1/number/", {"action": "group", "group": "A"})
    assert page.status_code == 422
    assert "大厅现在不开放，不能取号。下次开放时间：2026-09-15 09:00。" in page.content.decode()
    assert QueueNumber.objects.count() == 0


def test_a_wrong_booking_code_is_shown_inline(client, kiosk, mzj, item):
    kiosk.hall = build_hall(mzj, item=item)
    kiosk.save()
    page = client.post("/kiosk/k1/number/", {"action": "booking", "booking_code": "ZZZ999"})
    assert page.status_code == 422
    assert "没有找到预约码 ZZZ999" in page.content.decode()


def test_pickup_page_opens_the_compartment(client, kiosk, clerk, bank, issued):
    _deposit, code = _place(clerk, bank, issued, now=MONDAY_10)
    wrong = client.post("/kiosk/k1/pickup/", {"code": "1234"})
    assert wrong.status_code == 422
    assert "<title>错误：自助取件" in wrong.content.decode()
    done = client.post("/kiosk/k1/pickup/", {"code": code})
    assert done.status_code == 200
    assert "A-01 号格口已打开" in done.content.decode()
    again = client.post("/kiosk/k1/pickup/", {"code": code})
    assert again.status_code == 422
    assert "该取件码已使用过" in again.content.decode()


@pytest.fixture
def kiosk_items(mzj):
    from tests.catalog.specs import spec
    from tongban.catalog.services import item_save_spec

    simple = item_save_spec(
        spec=spec(
            "mzj",
            basic_code="000107002000",
            name="居住证明开具",
            channels=["window", "kiosk"],
            materials=[],
            questions=[],
        ),
        publish=True,
    )
    needs = item_save_spec(
        spec=spec("mzj", basic_code="000107003000", name="残疾人证补办", channels=["kiosk"]),
        publish=True,
    )
    return simple, needs


def test_items_for_kiosks_are_listed_and_applied_for(client, kiosk, applicant, item, kiosk_items):
    from tongban.cases.models import Case

    simple, needs = kiosk_items
    applicant.person.address = "云溪区学府路 18 号"
    applicant.person.save()
    _identify(client, applicant.person)
    page = client.get("/kiosk/k1/items/").content.decode()
    assert "居住证明开具" in page and "残疾人证补办" in page
    assert item.name not in page  # not marked for kiosks
    refused = client.post(f"/kiosk/k1/items/{needs.item.implementation_code}/apply/")
    assert refused.status_code == 422
    assert (
        "该事项不能在终端上直接提交（情形“是否本人办理？”还没有回答。）" in refused.content.decode()
    )
    assert Case.objects.count() == 0  # the draft is not kept
    done = client.post(f"/kiosk/k1/items/{simple.item.implementation_code}/apply/")
    assert done.status_code == 200
    case = Case.objects.get()
    assert (case.channel, case.status, case.applicant) == ("kiosk", "submitted", applicant.person)
    assert case.case_no in done.content.decode()
    assert client.post(f"/kiosk/k1/items/{item.item.implementation_code}/apply/").status_code == 404
    assert (
        client.get(f"/kiosk/k1/items/{simple.item.implementation_code}/apply/").status_code == 405
    )
