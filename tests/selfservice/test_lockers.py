"""Pickup lockers: placing a result, the pickup code (single-use, expiring), the case delivered,
the uncollected flagged for mailing, and every refusal changing nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from tests.factories import make_staff
from tongban.cases.models import Case, CaseEvent
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.events import chain_verify
from tongban.core.models import Notification
from tongban.core.permissions import Role
from tongban.selfservice import selectors, services
from tongban.selfservice.errors import SelfserviceError
from tongban.selfservice.lockers import SimulatedLocker
from tongban.selfservice.models import Deposit, DepositEvent, DepositStatus

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 9, 14, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _at_t0():
    with time_machine.travel(T0, tick=False):
        yield


def _code_from_sms(person) -> str:
    text = Notification.objects.filter(person=person, title="自助取件码").latest("id").body
    return re.search(r"取件码 (\d{8})", text).group(1)


def _place(clerk, bank, case, n=1, now=T0):
    compartment = bank.compartments.get(number=n)
    return services.deposit_place(
        actor=clerk, compartment_id=compartment.pk, case_no=case.case_no, now=now
    )


def test_place_opens_the_door_and_sends_the_code(clerk, bank, issued, applicant):
    deposit, code = _place(clerk, bank, issued, n=2)
    assert deposit.status == DepositStatus.PLACED
    assert deposit.code_expires_at == T0 + dt.timedelta(days=7)
    assert [(o.bank, o.compartment) for o in SimulatedLocker.openings] == [("A", 2)]
    assert len(code) == 8 and code.isdigit()
    assert code not in deposit.code_digest  # only the HMAC is stored
    assert _code_from_sms(applicant.person) == code
    body = Notification.objects.get(person=applicant.person, title="自助取件码").body
    assert "A-02" in body and issued.case_no in body
    assert [e.action for e in DepositEvent.objects.filter(deposit=deposit)] == ["place"]


def test_pickup_delivers_the_case_and_the_code_is_single_use(clerk, bank, issued, applicant):
    deposit, code = _place(clerk, bank, issued)
    picked = services.deposit_pickup(code=code, kiosk_code="k1", now=T0 + dt.timedelta(hours=3))
    assert picked.pk == deposit.pk
    assert picked.status == DepositStatus.COLLECTED
    case = Case.objects.get(pk=issued.pk)
    assert case.status == "delivered"
    assert case.delivery_method == "locker"  # 自助取件柜: a delivery method of its own
    placed = CaseEvent.objects.filter(case=case, action="locker_placed").get()
    assert placed.payload == {
        "method": "locker",
        "locker": "A-01",
        "deposit": deposit.pk,
        "code_sent": True,
        "code_expires_at": "2026-09-21T18:00:00+08:00",
    }
    assert placed.actor_id == clerk.pk
    assert placed.from_state == placed.to_state == "issued"
    deliver = CaseEvent.objects.filter(case=case, action="deliver").get()
    assert deliver.payload == {"method": "locker", "locker": "A-01", "deposit": deposit.pk}
    assert deliver.seq > placed.seq
    assert deliver.actor_label == "自助取件柜 A-01"
    assert len(SimulatedLocker.openings) == 2  # placing and picking up
    # The same code again: refused, nothing changed.
    events_before = CaseEvent.objects.count()
    with pytest.raises(SelfserviceError) as refused:
        services.deposit_pickup(code=code, kiosk_code="k1", now=T0 + dt.timedelta(hours=4))
    assert refused.value.code == "pickup_code_invalid"
    assert "已使用过" in refused.value.message
    assert len(SimulatedLocker.openings) == 2
    assert CaseEvent.objects.count() == events_before
    assert Deposit.objects.get(pk=deposit.pk).version == 2
    assert chain_verify().problems == []


def test_an_expired_code_is_refused_and_changes_nothing(clerk, bank, issued):
    deposit, code = _place(clerk, bank, issued)
    late = deposit.code_expires_at + dt.timedelta(seconds=1)
    with pytest.raises(SelfserviceError) as refused:
        services.deposit_pickup(code=code, kiosk_code="k1", now=late)
    assert refused.value.code == "pickup_code_expired"
    assert refused.value.message.startswith("取件码：取件码已于 2026-09-21 18:00 过期")
    fresh = Deposit.objects.get(pk=deposit.pk)
    assert (fresh.status, fresh.version) == (DepositStatus.PLACED, 1)
    assert Case.objects.get(pk=issued.pk).status == "issued"
    assert len(SimulatedLocker.openings) == 1


def test_wrong_and_malformed_codes_are_refused(clerk, bank, issued):
    _place(clerk, bank, issued)
    with pytest.raises(ValidationFailed) as malformed:
        services.deposit_pickup(code="12ab", kiosk_code="k1")
    assert malformed.value.message == "取件码：请输入短信中的 8 位数字取件码。"
    with pytest.raises(SelfserviceError) as wrong:
        services.deposit_pickup(code="00000000", kiosk_code="k1")
    assert wrong.value.message == "取件码：取件码不正确，请核对短信后重新输入。"
    assert Case.objects.get(pk=issued.pk).status == "issued"


def test_repeated_wrong_codes_pause_pickups_at_that_kiosk(clerk, bank, issued):
    _deposit, code = _place(clerk, bank, issued)
    for _ in range(10):
        with pytest.raises(SelfserviceError):
            services.deposit_pickup(code="00000000", kiosk_code="k1")
    with pytest.raises(SelfserviceError) as paused:
        services.deposit_pickup(code=code, kiosk_code="k1")
    assert paused.value.code == "pickup_locked"
    assert Case.objects.get(pk=issued.pk).status == "issued"
    # Another kiosk is not paused.
    assert services.deposit_pickup(code=code, kiosk_code="k2").status == "collected"


def test_a_jammed_door_undoes_the_pickup(clerk, bank, issued):
    deposit, code = _place(clerk, bank, issued)
    SimulatedLocker.fail_next = True
    with pytest.raises(SelfserviceError) as fault:
        services.deposit_pickup(code=code, kiosk_code="k1")
    assert fault.value.code == "locker_fault"
    assert Deposit.objects.get(pk=deposit.pk).status == DepositStatus.PLACED
    assert Case.objects.get(pk=issued.pk).status == "issued"
    assert services.deposit_pickup(code=code, kiosk_code="k1").status == "collected"


def test_a_busy_compartment_or_a_case_already_in_a_locker_is_refused(
    clerk, bank, issued, issue_case
):
    _place(clerk, bank, issued, n=1)
    other = issue_case()
    with pytest.raises(SelfserviceError) as busy:
        _place(clerk, bank, other, n=1)
    assert busy.value.code == "compartment_busy"
    with pytest.raises(SelfserviceError) as twice:
        _place(clerk, bank, issued, n=2)
    assert twice.value.code == "case_already_deposited"
    assert Deposit.objects.count() == 1
    assert len(SimulatedLocker.openings) == 1


def test_a_case_without_a_result_cannot_be_placed(clerk, bank, applicant, code):
    from tests.cases.helpers import submitted_case

    case = submitted_case(applicant, code)
    with pytest.raises(ValidationFailed) as refused:
        _place(clerk, bank, case)
    assert refused.value.message == (
        f"办件编号：办件 {case.case_no} 当前为“待受理”，尚无可领取的办理结果。"
    )
    assert Deposit.objects.count() == 0


def test_only_locker_staff_place(bank, issued, reviewer):
    with pytest.raises(PermissionDenied):
        _place(reviewer, bank, issued)
    assert Deposit.objects.count() == 0


def test_resend_replaces_the_code(clerk, bank, issued, applicant):
    deposit, old = _place(clerk, bank, issued)
    later = T0 + dt.timedelta(days=6)
    _deposit, new = services.deposit_code_resend(
        actor=clerk, deposit_id=deposit.pk, expected_version=1, now=later
    )
    assert new != old
    assert Deposit.objects.get(pk=deposit.pk).code_expires_at == later + dt.timedelta(days=7)
    with pytest.raises(SelfserviceError):
        services.deposit_pickup(code=old, kiosk_code="k1", now=later)
    assert services.deposit_pickup(code=new, kiosk_code="k1", now=later).status == "collected"


def test_stale_version_is_refused(clerk, bank, issued):
    deposit, _code = _place(clerk, bank, issued)
    with pytest.raises(SelfserviceError) as stale:
        services.deposit_code_resend(actor=clerk, deposit_id=deposit.pk, expected_version=5)
    assert stale.value.code == "stale"


@override_settings(TONGBAN_LOCKER_UNCOLLECTED_DAYS=5)
def test_uncollected_deposits_are_flagged_for_mailing_and_mailed(clerk, bank, issue_case):
    first, code = _place(clerk, bank, issue_case(), n=1)
    second, _ = _place(clerk, bank, issue_case(), n=2, now=T0 + dt.timedelta(days=3))
    sweep = T0 + dt.timedelta(days=5)
    flagged = services.deposits_flag_uncollected(now=sweep)
    assert [d.pk for d in flagged] == [first.pk]
    assert services.deposits_flag_uncollected(now=sweep) == []  # idempotent
    assert list(selectors.deposits(overdue_only=True, now=sweep)) == [
        Deposit.objects.get(pk=first.pk)
    ]
    with pytest.raises(SelfserviceError) as refused:
        services.deposit_pickup(code=code, kiosk_code="k1", now=sweep)
    assert refused.value.code == "pickup_code_expired"
    assert "转为邮寄送达" in refused.value.message
    removed = services.deposit_remove(
        actor=clerk,
        deposit_id=first.pk,
        expected_version=2,
        carrier="中国邮政 EMS",
        tracking_no="1100000000001",
        now=sweep,
    )
    assert removed.status == DepositStatus.REMOVED
    case = Case.objects.get(pk=first.case_id)
    assert (case.status, case.delivery_method) == ("delivered", "mail")
    assert Deposit.objects.get(pk=second.pk).status == DepositStatus.PLACED


def test_remove_needs_both_carrier_and_tracking_number(clerk, bank, issued):
    deposit, _code = _place(clerk, bank, issued)
    with pytest.raises(ValidationFailed) as refused:
        services.deposit_remove(actor=clerk, deposit_id=deposit.pk, carrier="EMS")
    assert refused.value.field == "tracking_no"
    assert Deposit.objects.get(pk=deposit.pk).status == DepositStatus.PLACED


def test_locker_staff_role_is_the_window_clerk(bank, issued):
    other_clerk = make_staff(Role.WINDOW_CLERK, username="clerk2")
    deposit, _ = _place(other_clerk, bank, issued)
    assert deposit.placed_by == other_clerk
    assert deposit.placed_at == T0
    assert timezone.is_aware(deposit.placed_at)


def test_the_case_page_delivers_by_locker_through_the_provider(clerk, bank, issued, applicant):
    """送达方式“自助取件柜” chosen on the case (cases.services.case_deliver): the registered
    provider places it in the first free compartment and the pickup code is sent."""
    from tongban.cases.services import case_deliver

    case = case_deliver(actor=clerk, case=issued, method="locker")
    assert (case.status, case.delivery_method) == ("issued", "locker")
    deposit = Deposit.objects.get(case=issued)
    assert (deposit.compartment.number, deposit.status) == (1, DepositStatus.PLACED)
    code = _code_from_sms(applicant.person)
    services.deposit_pickup(code=code, kiosk_code="k1", now=T0 + dt.timedelta(hours=1))
    assert Case.objects.get(pk=issued.pk).status == "delivered"


def test_without_a_free_compartment_delivery_by_locker_is_refused(clerk, bank, issued):
    from tongban.cases.services import case_deliver

    bank.compartments.update(in_service=False)
    with pytest.raises(SelfserviceError) as refused:
        case_deliver(actor=clerk, case=issued, method="locker")
    assert refused.value.message == "送达方式：自助取件柜暂无空闲格口，请选择其他送达方式。"
    case = Case.objects.get(pk=issued.pk)
    assert (case.status, case.delivery_method) == ("issued", "")
    assert not CaseEvent.objects.filter(case=case, action="locker_placed").exists()
