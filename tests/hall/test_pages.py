"""The hall's pages over HTTP: the kiosk take page, the ticket, the screens and their live
partials, booking on the portal, the calling page, the staff's day list, the rating device —
with the personas that may and may not use them, and nothing changed when refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from tests.factories import make_staff
from tongban.core.permissions import Role
from tongban.hall import services
from tongban.hall.models import Booking, QueueNumber
from tongban.ratings.models import Rating
from tongban.ratings.services import device_register

from .conftest import at, client_for

pytestmark = pytest.mark.django_db

OPEN = at("2026-11-02", 9, 30)


@pytest.fixture(autouse=True)
def _monday_morning():
    with time_machine.travel(OPEN, tick=False):
        yield


def test_take_a_number_at_the_kiosk_page_and_see_the_ticket(hall):
    client = Client()
    page = client.get(f"/hall/{hall.code}/take/")
    assert page.status_code == 200
    assert 'data-mode="care"' in page.text  # kiosk pages are large by default
    assert "A · 综合受理" in page.text
    response = client.post(f"/hall/{hall.code}/take/", {"way": "what", "what": "g:A"})
    assert response.status_code == 302
    ticket = client.get(response["Location"])
    assert ticket.status_code == 200
    assert re.search(r"data-number>A001<", ticket.text)
    assert "前面还有 0 人" in ticket.text
    assert QueueNumber.objects.get().channel == "kiosk"


def test_kiosk_errors_show_a_summary_and_take_nothing(hall):
    client = Client()
    response = client.post(f"/hall/{hall.code}/take/", {"way": "code", "booking_code": "ZZZZ9999"})
    assert response.status_code == 422
    assert "<title>错误：" in response.text
    assert "没有找到预约码 ZZZZ9999" in response.text
    response = client.post(f"/hall/{hall.code}/take/", {"way": "id", "id_number": "123"})
    assert response.status_code == 422
    assert QueueNumber.objects.count() == 0


def test_kiosk_refuses_outside_opening_hours(hall):
    with time_machine.travel(at("2026-11-02", 12, 15), tick=False):
        response = Client().post(f"/hall/{hall.code}/take/", {"way": "what", "what": "g:A"})
    assert response.status_code == 409
    assert "大厅现在不开放，不能取号。下次开放时间：2026-11-02 13:30。" in response.text
    assert QueueNumber.objects.count() == 0


def test_forged_ticket_link_is_404(hall):
    assert Client().get(f"/hall/{hall.code}/ticket/1/").status_code == 404


def test_hall_screen_and_live_partial_show_the_call(hall, signed_in, clerk):
    services.number_take(hall=hall, group_code="A", channel="kiosk")
    client = Client()
    page = client.get(f"/hall/{hall.code}/screen/")
    assert page.status_code == 200
    assert 'hx-trigger="every 1s"' in page.text
    assert "<script>" not in page.text  # CSP: no inline scripts
    services.number_call_next(window=signed_in[0], actor=clerk)
    live = client.get(f"/hall/{hall.code}/screen/live/", HTTP_HX_REQUEST="true")
    assert live.status_code == 200
    assert "HX-Request" in live["Vary"]
    assert re.search(r"data-latest-number>A001<", live.text)
    assert "到 1 号窗口" in live.text


def test_window_screen_shows_clerk_and_current_number(hall, signed_in, clerk):
    clerk.staff.employee_no = "YX0101"
    clerk.staff.save()
    services.number_take(hall=hall, group_code="A", channel="kiosk")
    services.number_call_next(window=signed_in[0], actor=clerk)
    page = Client().get(f"/hall/{hall.code}/screen/window/1/")
    assert page.status_code == 200
    assert "王丽" in page.text and "工号 YX0101" in page.text
    assert re.search(r"data-current-number>A001<", page.text)
    assert Client().get(f"/hall/{hall.code}/screen/window/99/").status_code == 404


# ---------------------------------------------------------------- calling page


def test_calling_page_call_finish_flow(hall, signed_in, clerk):
    services.number_take(hall=hall, group_code="A", channel="kiosk")
    client = client_for(clerk)
    url = f"/console/hall/window/{signed_in[0].pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "call_next"})
    assert response.status_code == 302
    page = client.get(url)
    assert "正在呼叫 A001。" in page.text
    assert re.search(r"data-current>A001<", page.text)
    assert client.post(url, {"action": "finish", "case_no": ""}).status_code == 302
    assert QueueNumber.objects.get().status == "done"
    refused = client.post(url, {"action": "recall"})
    assert refused.status_code == 409
    assert "这个窗口当前没有正在叫的号。" in refused.text


@pytest.mark.parametrize("persona", ["anonymous", "applicant", "reviewer"])
def test_calling_page_refused_to_others_and_nothing_changes(
    persona, hall, signed_in, applicant, reviewer
):
    services.number_take(hall=hall, group_code="A", channel="kiosk")
    client = {
        "anonymous": Client(),
        "applicant": client_for(applicant[0]),
        "reviewer": client_for(reviewer),
    }[persona]
    response = client.post(f"/console/hall/window/{signed_in[0].pk}/", {"action": "call_next"})
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/console/login/" in response["Location"]
    assert QueueNumber.objects.get().status == "waiting"


def test_another_clerk_cannot_call_at_a_window_they_are_not_signed_in(hall, signed_in, clerk2):
    services.number_take(hall=hall, group_code="A", channel="kiosk")
    response = client_for(clerk2).post(
        f"/console/hall/window/{signed_in[0].pk}/", {"action": "call_next"}
    )
    assert response.status_code == 409
    assert "您没有在1 号窗口签到" in response.text
    assert QueueNumber.objects.get().status == "waiting"


def test_day_list_of_bookings(hall, clerk, applicant):
    _user, who = applicant
    with time_machine.travel(at("2026-10-30", 12), tick=False):
        booking = services.booking_create(
            hall=hall, person=who, date=dt.date(2026, 11, 2), start=dt.time(14), group_code="A"
        )
    page = client_for(clerk).get(f"/console/hall/{hall.code}/bookings/?date=2026-11-02")
    assert page.status_code == 200
    assert booking.code in page.text and "张晓明" in page.text
    assert client_for(applicant[0]).get(f"/console/hall/{hall.code}/bookings/").status_code == 403


# ---------------------------------------------------------------- portal booking


def test_book_on_the_portal_without_javascript(hall, applicant, item_code):
    user, who = applicant
    client = client_for(user)
    page = client.get(f"/hall/{hall.code}/book/", {"what": f"i:{item_code}", "date": "2026-11-03"})
    assert page.status_code == 200
    assert "09:00–09:30（余 2 个）" in page.text
    response = client.post(
        f"/hall/{hall.code}/book/",
        {"what": f"i:{item_code}", "date": "2026-11-03", "slot": "09:00"},
    )
    assert response.status_code == 302
    booking = Booking.objects.get(person=who)
    assert response["Location"] == f"/hall/bookings/{booking.code}/?new=1"
    detail = client.get(response["Location"])
    assert booking.code in detail.text and "预约成功" in detail.text
    assert client.get("/hall/bookings/").status_code == 200


def test_a_full_slot_on_the_portal_offers_the_next_free_slots(hall, applicant, other_applicant):
    for who in (applicant[1], other_applicant[1]):
        services.booking_create(
            hall=hall, person=who, date=dt.date(2026, 11, 3), start=dt.time(9), group_code="A"
        )
    user, _who = make_applicant_third()
    response = client_for(user).post(
        f"/hall/{hall.code}/book/", {"what": "g:A", "date": "2026-11-03", "slot": "09:00"}
    )
    assert response.status_code == 422
    assert "<title>错误：" in response.text
    assert "2026-11-03 09:00 的预约已满，请选择其他时段。" in response.text
    assert "最近还有名额的时段" in response.text
    assert Booking.objects.count() == 2


def make_applicant_third():
    from .conftest import make_applicant

    return make_applicant("wang", "王五")


def test_booking_pages_are_private(hall, applicant, other_applicant):
    booking = services.booking_create(
        hall=hall, person=applicant[1], date=dt.date(2026, 11, 3), start=dt.time(9), group_code="A"
    )
    other = client_for(other_applicant[0])
    assert other.get(f"/hall/bookings/{booking.code}/").status_code == 404
    assert other.post(f"/hall/bookings/{booking.code}/cancel/").status_code == 404
    anonymous = Client().get(f"/hall/bookings/{booking.code}/")
    assert anonymous.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "booked"
    owner = client_for(applicant[0])
    assert owner.post(f"/hall/bookings/{booking.code}/cancel/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_reschedule_on_the_portal(hall, applicant):
    booking = services.booking_create(
        hall=hall, person=applicant[1], date=dt.date(2026, 11, 3), start=dt.time(9), group_code="A"
    )
    client = client_for(applicant[0])
    page = client.get(f"/hall/bookings/{booking.code}/reschedule/", {"date": "2026-11-04"})
    assert page.status_code == 200
    response = client.post(
        f"/hall/bookings/{booking.code}/reschedule/", {"date": "2026-11-04", "slot": "10:00"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.date, booking.slot_start) == (dt.date(2026, 11, 4), dt.time(10))


# ---------------------------------------------------------------- rating device


@pytest.fixture
def device(hall, window):
    dev, token = device_register(code="PJQ-01", department=hall.department, window="1 号窗口")
    window.rating_device = dev
    window.save(update_fields=["rating_device"])
    return dev, token


def test_rating_device_rates_the_finished_number_once(hall, signed_in, clerk, device):
    _dev, token = device
    number = services.number_take(hall=hall, group_code="A", channel="kiosk")
    services.number_call_next(window=signed_in[0], actor=clerk)
    done = services.number_finish(window=signed_in[0], actor=clerk)
    assert done.rating_ref.startswith("CV-")
    tablet = Client()
    tablet.cookies["tongban_rating_device"] = token
    page = tablet.get("/hall/device/")
    assert page.status_code == 200
    assert "号码 A001 · 1 号窗口 · 工作人员 王丽" in page.text
    assert tablet.post("/hall/device/", {"level": "5"}).status_code == 302
    rating = Rating.objects.get()
    assert (rating.service_kind, rating.service_ref, rating.level, rating.channel) == (
        "visit",
        done.rating_ref,
        5,
        "device",
    )
    again = tablet.post("/hall/device/", {"level": "1"})
    assert again.status_code == 409
    assert Rating.objects.count() == 1
    number.refresh_from_db()
    assert number.rating_ref == done.rating_ref


def test_rating_device_refuses_the_clerks_session(hall, signed_in, clerk, device):
    _dev, token = device
    services.number_take(hall=hall, group_code="A", channel="kiosk")
    services.number_call_next(window=signed_in[0], actor=clerk)
    services.number_finish(window=signed_in[0], actor=clerk)
    own = client_for(clerk)
    own.cookies["tongban_rating_device"] = token
    response = own.post("/hall/device/", {"level": "5"})
    assert response.status_code == 403
    assert Rating.objects.count() == 0


def test_rating_device_without_a_finished_service_has_nothing_to_rate(hall, device):
    _dev, token = device
    tablet = Client()
    tablet.cookies["tongban_rating_device"] = token
    assert "欢迎办事" in tablet.get("/hall/device/").text
    response = tablet.post("/hall/device/", {"level": "5"})
    assert response.status_code == 409
    assert Rating.objects.count() == 0


def test_a_clerk_of_another_department_finishes_without_a_rating_request(hall, window, device):
    other = make_staff(Role.WINDOW_CLERK, username="outsider")
    services.window_sign_in(window=window, actor=other)
    services.number_take(hall=hall, group_code="A", channel="kiosk")
    services.number_call_next(window=window, actor=other)
    done = services.number_finish(window=window, actor=other)
    assert (done.status, done.rating_ref) == ("done", "")
