"""Every channel: web (own case, once + one follow-up), SMS link (signed, single-use,
expiring), the window device (one pending request, staff mode refused), the hotline callback;
and the rule that staff can never rate for the applicant."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tongban.core.errors import DomainError
from tongban.hotline import hooks
from tongban.ratings import services
from tongban.ratings.errors import RatingErrorCode
from tongban.ratings.models import (
    DeviceMode,
    DeviceRequest,
    Rating,
    RatingChannel,
    RatingLink,
    Rectification,
)

from .conftest import at, client_for

pytestmark = pytest.mark.django_db


def rate_web(user, case, level=5, **kw):
    return services.rating_submit_web(user=user, kind="case", ref=case.case_no, level=level, **kw)


# ---------------------------------------------------------------- web


def test_web_rating_is_stored_with_the_event_and_the_online_question_set(applicant, case):
    rating = rate_web(
        applicant,
        case,
        level=4,
        answers={"efficiency": "5", "usability": 3},
        reasons=["办理快"],
        comment="很快",
    )
    assert rating.channel == RatingChannel.WEB
    assert (rating.service_kind, rating.service_ref) == ("case", case.case_no)
    assert rating.department_id == case.department_id
    assert rating.item_code == case.item_version.item.implementation_code
    assert rating.question_set.scope == "online"
    assert [q["code"] for q in rating.question_set.questions] == [
        "efficiency",
        "guide_accuracy",
        "convenience",
        "usability",
    ]
    assert rating.answers == {"efficiency": 5, "usability": 3}
    assert rating.reasons == ["办理快"]
    assert rating.person_id == applicant.person.pk
    assert rating.real_name is True
    assert rating.flagged is False
    assert not Rectification.objects.exists()


def test_counter_case_uses_the_offline_question_set(applicant, make_case, item):
    case = make_case(item, channel="window")
    rating = rate_web(applicant, case, level=5, answers={"attitude": 5})
    assert rating.question_set.scope == "offline"
    assert [q["label"] for q in rating.question_set.questions] == [
        "服务效率",
        "服务水平",
        "服务态度",
    ]


def test_once_and_one_follow_up_then_refused(applicant, case):
    first = rate_web(applicant, case, level=3)
    follow = rate_web(applicant, case, level=5, comment="后来补办很顺利")
    assert follow.follow_up_of_id == first.pk
    with pytest.raises(DomainError) as exc:
        rate_web(applicant, case, level=1)
    assert exc.value.code == RatingErrorCode.FOLLOW_UP_EXISTS
    assert Rating.objects.count() == 2


def test_another_applicant_cannot_rate_the_case(other_applicant, case):
    with pytest.raises(DomainError) as exc:
        rate_web(other_applicant, case)
    assert exc.value.code == RatingErrorCode.NOT_RATEABLE
    assert not Rating.objects.exists()


def test_a_case_not_concluded_cannot_be_rated(applicant, make_case, item):
    case = make_case(item, status="in_review", decided=None)
    with pytest.raises(DomainError) as exc:
        rate_web(applicant, case)
    assert exc.value.code == RatingErrorCode.NOT_RATEABLE
    assert not Rating.objects.exists()


@pytest.mark.parametrize("bad", [0, 6, "x", None])
def test_a_level_outside_the_five_is_refused(applicant, case, bad):
    with pytest.raises(DomainError) as exc:
        rate_web(applicant, case, level=bad)
    assert exc.value.code == RatingErrorCode.INVALID_LEVEL
    assert exc.value.field == "level"
    assert not Rating.objects.exists()


def test_a_reason_not_offered_and_a_long_comment_are_refused(applicant, case):
    with pytest.raises(DomainError) as exc:
        rate_web(applicant, case, reasons=["随便写的"])
    assert exc.value.field == "reasons"
    with pytest.raises(DomainError) as exc:
        rate_web(applicant, case, comment="长" * 501)
    assert exc.value.field == "comment"
    assert not Rating.objects.exists()


# ---------------------------------------------------------------- staff may never rate


def test_a_clerk_session_is_refused_on_every_channel(clerk, case, mzj):
    with pytest.raises(DomainError) as exc:
        services.rating_submit_web(user=clerk, kind="case", ref=case.case_no, level=5)
    assert exc.value.code == RatingErrorCode.STAFF_MAY_NOT_RATE
    assert exc.value.status_code == 403
    _link, token = services.link_create(kind="case", ref=case.case_no)
    with pytest.raises(DomainError) as exc:
        services.rating_submit_link(token=token, user=clerk, level=5)
    assert exc.value.code == RatingErrorCode.STAFF_MAY_NOT_RATE
    _device, device_token = services.device_register(code="D1", department=mzj, window="1号窗口")
    services.device_request_push(actor=clerk, device_code="D1")
    with pytest.raises(DomainError) as exc:
        services.rating_submit_device(device_token=device_token, user=clerk, level=5)
    assert exc.value.code == RatingErrorCode.STAFF_MAY_NOT_RATE
    assert not Rating.objects.exists()
    assert RatingLink.objects.get().used_at is None


def test_a_staff_session_posting_the_rating_page_stores_nothing(clerk, applicant, case):
    # even a staff member who is also the applicant's own user is refused: a console account
    url = reverse("ratings:rate", args=["case", case.case_no])
    response = client_for(clerk).post(url, {"level": "5"})
    assert response.status_code == 403
    assert "工作人员账号不能评价" in response.content.decode()
    assert not Rating.objects.exists()


# ---------------------------------------------------------------- SMS link


def test_sms_link_rates_once(case, anonymous_client=None):
    _link, token = services.link_create(kind="case", ref=case.case_no)
    rating = services.rating_submit_link(token=token, level=2, comment="等了很久")
    assert rating.channel == RatingChannel.SMS
    assert rating.person_id == case.applicant_id
    assert RatingLink.objects.get().used_at == rating.rated_at
    assert Rectification.objects.get().rating == rating
    with pytest.raises(DomainError) as exc:
        services.rating_submit_link(token=token, level=5)
    assert exc.value.code == RatingErrorCode.LINK_USED
    assert Rating.objects.count() == 1


def test_sms_link_forged_or_tampered_is_refused(case):
    _link, token = services.link_create(kind="case", ref=case.case_no)
    for forged in ["abc", token[:-1] + ("A" if token[-1] != "A" else "B"), "x" + token]:
        with pytest.raises(DomainError) as exc:
            services.rating_submit_link(token=forged, level=5)
        assert exc.value.code == RatingErrorCode.LINK_INVALID
    assert not Rating.objects.exists()


def test_sms_link_expires(case):
    with time_machine.travel(at("2026-11-02", 12), tick=False):
        _link, token = services.link_create(kind="case", ref=case.case_no, days=7)
    with time_machine.travel(at("2026-11-09", 12), tick=False), pytest.raises(DomainError) as exc:
        services.rating_submit_link(token=token, level=5)
    assert exc.value.code == RatingErrorCode.LINK_EXPIRED
    with time_machine.travel(at("2026-11-09", 11, 59), tick=False):
        services.rating_submit_link(token=token, level=5)
    assert Rating.objects.count() == 1


def test_sms_link_after_a_web_rating_is_refused(applicant, case):
    rate_web(applicant, case, level=5)
    _link, token = services.link_create(kind="case", ref=case.case_no)
    with pytest.raises(DomainError) as exc:
        services.rating_submit_link(token=token, level=1)
    assert exc.value.code == RatingErrorCode.ALREADY_RATED
    assert RatingLink.objects.get().used_at is None
    assert Rating.objects.count() == 1


def test_sms_link_pages(client, case):
    _link, token = services.link_create(kind="case", ref=case.case_no)
    url = reverse("ratings:link", args=[token])
    assert client.get(url).status_code == 200
    response = client.post(url, {"level": ""})
    assert response.status_code == 422
    assert "错误：" in response.content.decode()
    response = client.post(url, {"level": "4", "comment": "好"})
    assert response.status_code == 302
    again = client.post(url, {"level": "1"})
    assert again.status_code == 410
    assert "已经使用过" in again.content.decode()
    forged = client.get(reverse("ratings:link", args=["nope"]))
    assert forged.status_code == 404
    assert Rating.objects.count() == 1


# ---------------------------------------------------------------- window device


@pytest.fixture
def device(mzj):
    return services.device_register(code="W3", department=mzj, window="3号窗口")


def test_device_rates_the_pushed_visit_and_closes_the_request(device, clerk, case):
    _dev, token = device
    with time_machine.travel(at("2026-11-03", 10), tick=False):
        request = services.device_request_push(actor=clerk, device_code="W3", case_no=case.case_no)
    with time_machine.travel(at("2026-11-03", 10, 1), tick=False):
        rating = services.rating_submit_device(device_token=token, level=5)
    assert rating.channel == RatingChannel.DEVICE
    assert rating.service_kind == "visit"
    assert rating.service_ref == request.service_ref
    assert rating.staff_id == clerk.pk
    assert rating.person_id == case.applicant_id
    assert rating.item_code == case.item_version.item.implementation_code
    assert rating.question_set.scope == "offline"
    assert rating.device == "W3"
    assert rating.flagged is False
    request.refresh_from_db()
    assert request.outcome == "rated"
    with pytest.raises(DomainError) as exc:
        services.rating_submit_device(device_token=token, level=1)
    assert exc.value.code == RatingErrorCode.NO_PENDING_REQUEST
    assert Rating.objects.count() == 1


def test_one_pending_request_per_device(device, clerk):
    services.device_request_push(actor=clerk, device_code="W3")
    with pytest.raises(DomainError) as exc:
        services.device_request_push(actor=clerk, device_code="W3")
    assert exc.value.code == RatingErrorCode.DEVICE_BUSY
    assert services.device_request_cancel(actor=clerk, device_code="W3") == 1
    services.device_request_push(actor=clerk, device_code="W3")
    assert DeviceRequest.objects.filter(closed_at__isnull=True).count() == 1


def test_a_lapsed_request_is_replaced(device, clerk):
    with time_machine.travel(at("2026-11-03", 10), tick=False):
        services.device_request_push(actor=clerk, device_code="W3")
    with time_machine.travel(at("2026-11-03", 10, 11), tick=False):
        services.device_request_push(actor=clerk, device_code="W3")
    assert list(DeviceRequest.objects.order_by("id").values_list("outcome", flat=True)) == [
        "expired",
        "",
    ]


def test_a_staff_mode_device_is_refused(device, clerk, administrator):
    _dev, token = device
    services.device_request_push(actor=clerk, device_code="W3")
    services.device_set_mode(actor=administrator, code="W3", mode=DeviceMode.STAFF)
    with pytest.raises(DomainError) as exc:
        services.rating_submit_device(device_token=token, level=5)
    assert exc.value.code == RatingErrorCode.DEVICE_STAFF_MODE
    assert not Rating.objects.exists()


def test_an_unknown_device_token_is_refused(device):
    with pytest.raises(DomainError) as exc:
        services.rating_submit_device(device_token="not-a-device", level=5)
    assert exc.value.code == RatingErrorCode.DEVICE_INVALID


def test_a_clerk_of_another_department_cannot_push(device, scjg):
    from tests.factories import make_staff
    from tongban.core.permissions import Role

    stranger = make_staff(Role.WINDOW_CLERK, department=scjg, username="stranger")
    with pytest.raises(DomainError) as exc:
        services.device_request_push(actor=stranger, device_code="W3")
    assert exc.value.status_code == 403
    assert not DeviceRequest.objects.exists()


def test_kiosk_page_pairs_and_rates(client, device, clerk):
    _dev, token = device
    response = client.get(reverse("ratings:device-pair", args=[token]))
    assert response.status_code == 302
    page = client.get(reverse("ratings:device"))
    assert "欢迎办事" in page.content.decode()
    services.device_request_push(actor=clerk, device_code="W3")
    page = client.get(reverse("ratings:device"))
    assert "请您评价本次服务" in page.content.decode()
    response = client.post(reverse("ratings:device"), {"level": "4"})
    assert response.status_code == 302
    assert Rating.objects.get().level == 4


def test_kiosk_page_without_pairing_is_refused(client):
    assert client.get(reverse("ratings:device")).status_code == 403


# ---------------------------------------------------------------- hotline callback


def test_a_callback_records_the_citizens_words_as_the_tickets_rating(ticket, operator):
    hooks.callback_recorded(
        ticket_no=ticket.ticket_no, actor=operator, satisfaction="dissatisfied", note="没修好"
    )
    rating = Rating.objects.get()
    assert rating.channel == RatingChannel.CALLBACK
    assert (rating.service_kind, rating.service_ref) == ("ticket", ticket.ticket_no)
    assert rating.level == 2
    assert rating.comment == "没修好"
    assert rating.real_name is False
    assert rating.question_set.scope == "offline"
    assert Rectification.objects.get().department_id == ticket.department_id
    # a second callback (after a reopening) is the follow-up; a third adds nothing
    hooks.callback_recorded(
        ticket_no=ticket.ticket_no, actor=operator, satisfaction="satisfied", note="修好了"
    )
    hooks.callback_recorded(
        ticket_no=ticket.ticket_no, actor=operator, satisfaction="basic", note=""
    )
    assert list(Rating.objects.order_by("id").values_list("level", "follow_up_of")) == [
        (2, None),
        (4, rating.pk),
    ]


def test_ticket_rated_on_the_web_by_the_caller(applicant, ticket):
    rating = services.rating_submit_web(
        user=applicant, kind="ticket", ref=ticket.ticket_no, level=5
    )
    assert rating.service_kind == "ticket"
    assert rating.department_id == ticket.department_id


def test_the_rating_time_is_the_server_clock(applicant, case):
    with time_machine.travel(at("2026-11-05", 15), tick=False):
        rating = rate_web(applicant, case)
    assert rating.rated_at == at("2026-11-05", 15)
    assert rating.concluded_at == at("2026-11-02") - dt.timedelta(0)
