"""An applicant may act for the enterprises they are authorised for, and only while valid."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tongban.core import selectors
from tongban.core.models import EnterpriseAuthorisation
from tongban.core.services import enterprise_authorise

from ..factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_authorised_enterprises_only(applicant_a, applicant_b):
    mine = EnterpriseFactory(name="甲公司")
    EnterpriseFactory(name="乙公司")
    enterprise_authorise(person=applicant_a.person, enterprise=mine, valid_from=dt.date(2026, 1, 1))
    assert [e.name for e in selectors.enterprises_for(applicant_a)] == ["甲公司"]
    assert list(selectors.enterprises_for(applicant_b)) == []
    assert selectors.can_act_for(applicant_a, mine)
    assert not selectors.can_act_for(applicant_b, mine)


@time_machine.travel(dt.datetime(2026, 11, 21, 10, tzinfo=dt.UTC))
def test_expired_future_and_revoked_authorisations_do_not_count(applicant_a):
    expired, future, revoked = (EnterpriseFactory() for _ in range(3))
    enterprise_authorise(
        person=applicant_a.person,
        enterprise=expired,
        valid_from=dt.date(2025, 1, 1),
        valid_until=dt.date(2026, 11, 20),
    )
    enterprise_authorise(
        person=applicant_a.person, enterprise=future, valid_from=dt.date(2026, 11, 22)
    )
    enterprise_authorise(
        person=applicant_a.person, enterprise=revoked, valid_from=dt.date(2026, 1, 1)
    )
    EnterpriseAuthorisation.objects.filter(enterprise=revoked).update(revoked_at=timezone.now())
    assert list(selectors.enterprises_for(applicant_a)) == []


def test_anonymous_acts_for_nobody():
    assert list(selectors.enterprises_for(AnonymousUser())) == []
