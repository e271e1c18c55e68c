"""Bursts are flagged for review, never dropped; the supervisor's review."""

from __future__ import annotations

import pytest
import time_machine
from django.test import override_settings

from tongban.core.errors import DomainError
from tongban.ratings import services
from tongban.ratings.errors import RatingErrorCode
from tongban.ratings.kpis import counted_ratings
from tongban.ratings.models import FlagReview, Rating

from .conftest import at

pytestmark = pytest.mark.django_db


@override_settings(TONGBAN_RATING_BURST_COUNT=3, TONGBAN_RATING_BURST_WINDOW_SECONDS=300)
def test_many_ratings_from_one_address_are_flagged_not_dropped(applicant, make_case, item):
    cases = [make_case(item) for _ in range(4)]
    for minute, case in enumerate(cases):
        with time_machine.travel(at("2026-11-03", 10, minute), tick=False):
            services.rating_submit_web(
                user=applicant, kind="case", ref=case.case_no, level=5, address="10.0.0.9"
            )
    flags = list(Rating.objects.order_by("rated_at").values_list("flagged", "flag_reason"))
    assert flags == [
        (False, ""),
        (False, ""),
        (True, "同一网络地址 5 分钟内 3 条评价"),
        (True, "同一网络地址 5 分钟内 4 条评价"),
    ]
    assert Rating.objects.count() == 4
    assert Rating.objects.exclude(address_hash="").count() == 4
    assert "10.0.0.9" not in Rating.objects.first().address_hash


@override_settings(TONGBAN_RATING_QUICK_SECONDS=5)
def test_a_device_rating_seconds_after_the_service_is_flagged(mzj, clerk):
    _dev, token = services.device_register(code="W1", department=mzj, window="1号窗口")
    with time_machine.travel(at("2026-11-03", 10), tick=False):
        services.device_request_push(actor=clerk, device_code="W1")
    with time_machine.travel(at("2026-11-03", 10, 0).replace(second=3), tick=False):
        rating = services.rating_submit_device(device_token=token, level=5)
    assert rating.flagged is True
    assert rating.flag_reason == "服务结束后 3 秒即在窗口评价器评价"


@override_settings(TONGBAN_RATING_BURST_COUNT=2)
def test_many_ratings_from_one_device_are_flagged(mzj, clerk):
    _dev, token = services.device_register(code="W2", department=mzj, window="2号窗口")
    for minute in (0, 1):
        with time_machine.travel(at("2026-11-03", 10, minute * 2), tick=False):
            services.device_request_push(actor=clerk, device_code="W2")
        with time_machine.travel(at("2026-11-03", 10, minute * 2 + 1), tick=False):
            services.rating_submit_device(device_token=token, level=5)
    assert list(Rating.objects.order_by("rated_at").values_list("flagged", flat=True)) == [
        False,
        True,
    ]
    assert Rating.objects.order_by("rated_at").last().flag_reason == "同一设备 5 分钟内 2 条评价"


@override_settings(TONGBAN_RATING_BURST_COUNT=2)
def test_supervisor_reviews_a_flagged_rating(applicant, make_case, item, supervisor, handler):
    for case in (make_case(item), make_case(item)):
        services.rating_submit_web(
            user=applicant, kind="case", ref=case.case_no, level=5, address="1.2.3.4"
        )
    flagged = Rating.objects.get(flagged=True)
    with pytest.raises(DomainError) as exc:
        services.rating_flag_review(actor=handler, rating_id=flagged.pk, genuine=False)
    assert exc.value.status_code == 403
    services.rating_flag_review(actor=supervisor, rating_id=flagged.pk, genuine=False, note="刷评")
    with pytest.raises(DomainError) as exc:
        services.rating_flag_review(actor=supervisor, rating_id=flagged.pk, genuine=True)
    assert exc.value.code == RatingErrorCode.ALREADY_REVIEWED
    flagged.refresh_from_db()
    assert flagged.appeal_result == "fraudulent"
    assert counted_ratings().count() == 1  # kept, not counted
    assert Rating.objects.count() == 2
    assert FlagReview.objects.get().genuine is False
