"""Races with real threads and transactions: one SMS link posted twice at once, and two handlers
verifying one rectification at once — exactly one wins, nothing doubled. Runs on SQLite and,
under scripts/with-postgres.sh, on PostgreSQL."""

from __future__ import annotations

import pytest
import time_machine

from tests.factories import make_staff
from tests.hotline.test_races import _race
from tongban.core.errors import DomainError
from tongban.core.permissions import Role
from tongban.ratings import services
from tongban.ratings.models import Rating, RatingLink, Rectification, RectificationEvent

from .conftest import at

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_link_posted_twice_at_once_stores_one_rating(case):
    _link, token = services.link_create(kind="case", ref=case.case_no)
    outcomes = _race(
        lambda: services.rating_submit_link(token=token, level=5),
        lambda: services.rating_submit_link(token=token, level=1),
    )
    assert sorted(kind for kind, _value in outcomes) == ["error", "ok"]
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, DomainError)
    assert Rating.objects.count() == 1
    assert RatingLink.objects.get().used_at is not None
    assert Rectification.objects.count() == (1 if Rating.objects.get().level == 1 else 0)


def test_two_handlers_verify_one_rectification_exactly_one_wins(applicant, case, mzj):
    first = make_staff(Role.HANDLER, department=mzj, username="h1")
    second = make_staff(Role.HANDLER, department=mzj, username="h2")
    with time_machine.travel(at("2026-11-03", 10), tick=False):
        services.rating_submit_web(user=applicant, kind="case", ref=case.case_no, level=1)
    r = Rectification.objects.get()
    outcomes = _race(
        lambda: services.rectification_verify(actor=first, pk=r.pk, note="甲", expected_version=1),
        lambda: services.rectification_verify(actor=second, pk=r.pk, note="乙", expected_version=1),
    )
    assert sorted(kind for kind, _value in outcomes) == ["error", "ok"]
    r.refresh_from_db()
    assert (r.status, r.version) == ("rectifying", 2)
    assert RectificationEvent.objects.filter(action="verify").count() == 1
