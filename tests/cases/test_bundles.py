"""一件事: the 我要开网约车 bundle from one application to one combined result (15 → 9 materials),
a bundle with one child denied, and the bad input a bundle refuses."""

from __future__ import annotations

import pytest

from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.cases.models import (
    BundleCase,
    BundleEvent,
    BundleMaterial,
    BundleMember,
    BundlePolicy,
    Case,
    CaseMaterial,
)
from tongban.cases.services import case_issue
from tongban.cases.services.bundles import (
    Supplied,
    bundle_accept,
    bundle_apply,
    bundle_continue_partial,
    bundle_deliver,
    children,
)
from tongban.catalog import selectors as catalog_selectors
from tongban.core.errors import DomainError, PermissionDenied
from tongban.core.events import chain_verify
from tongban.core.permissions import Role

from .bundle_helpers import RIDE_ANSWERS, review_to_decision, staff_for, upload

pytestmark = pytest.mark.django_db

FORM = {"plate_number": "浙A·D12345", "address": "云溪区学府路 18 号", "platform": "云溪出行"}


@pytest.fixture
def driver(district):
    user = UserFactory(username="driver")
    PersonFactory(name="王建国", user=user)
    return user


@pytest.fixture
def window(district):
    return make_staff(Role.WINDOW_CLERK, username="window")


@pytest.fixture
def ride(district):
    return catalog_selectors.get_published_bundle("wangyueche")


def _all_uploads(bundle, answers):
    result = catalog_selectors.bundle_materials_for(bundle, answers)
    return {n.material.pk: upload(i) for i, n in enumerate(result.materials)}


def _apply(driver, ride, **kw):
    return bundle_apply(
        actor=driver,
        bundle=ride,
        applicant=driver.person,
        answers=RIDE_ANSWERS,
        form_data=FORM,
        supplied=_all_uploads(ride, RIDE_ANSWERS),
        **kw,
    )


def test_ride_hailing_bundle_from_application_to_one_combined_result(driver, window, ride):
    bc = _apply(driver, ride)
    assert (bc.status, bc.materials_count, bc.materials_without_bundle) == ("submitted", 9, 15)
    kids = children(bc)
    assert sorted(c.item_version.name for c in kids) == sorted(
        [
            "网络预约出租汽车驾驶员证核发",
            "网络预约出租汽车运输证核发",
            "机动车使用性质变更登记（预约出租客运）",
        ]
    )
    assert {c.status for c in kids} == {"submitted"}
    assert len({c.department_id for c in kids}) == 2  # 交通运输 and 公安交警
    # The shared materials are stored once: 9 rows, one file each; 15 rows across the children.
    assert BundleMaterial.objects.filter(bundle_case=bc).count() == 9
    rows = CaseMaterial.objects.filter(case__in=kids)
    assert rows.count() == 15
    assert rows.values("file").distinct().count() == 9
    id_card = BundleMaterial.objects.get(bundle_case=bc, name="驾驶员居民身份证")
    assert id_card.used_by == 3
    assert rows.filter(file=id_card.file.name).count() == 3

    bc = bundle_accept(actor=window, bc=bc)
    kids = children(bc)
    assert bc.status == "in_progress"
    assert {c.status for c in kids} == {"in_review"}
    assert {c.accepted_on for c in kids} == {bc.accepted_on}
    with pytest.raises(DomainError) as refused:
        bundle_deliver(actor=window, bc=bc, method="window")
    assert refused.value.code == "bundle_not_ready"
    for case in kids:
        case = review_to_decision(case, approve=True)
        case_issue(actor=staff_for(case, "approver"), case=case)
    bc = bundle_deliver(actor=window, bc=BundleCase.objects.get(pk=bc.pk), method="window")
    assert bc.status == "delivered"
    assert {c.status for c in children(bc)} == {"delivered"}
    events = list(BundleEvent.objects.filter(bundle_case=bc).values_list("action", flat=True))
    assert events == ["submit", "accept", "deliver"]
    assert chain_verify().problems == []


def test_a_bundle_with_one_child_denied_shows_it_and_continues_with_the_approved(
    driver, window, ride
):
    bc = bundle_accept(actor=window, bc=_apply(driver, ride))
    kids = children(bc)
    denied, *others = kids
    review_to_decision(denied, approve=False, reason="驾驶员有交通肇事犯罪记录")
    for case in others:
        case = review_to_decision(case, approve=True)
        case_issue(actor=staff_for(case, "approver"), case=case)
    bc = BundleCase.objects.get(pk=bc.pk)
    with pytest.raises(DomainError) as refused:
        bundle_deliver(actor=window, bc=bc, method="electronic")
    assert refused.value.code == "bundle_partial_refused"
    assert BundleCase.objects.get(pk=bc.pk).status == "in_progress"
    with pytest.raises(PermissionDenied):
        bundle_continue_partial(actor=window, bc=bc)
    bc = bundle_continue_partial(actor=driver, bc=bc)
    assert bc.partial_confirmed is True
    bc = bundle_deliver(actor=window, bc=bc, method="electronic")
    statuses = {c.item_version.name: c.status for c in children(bc)}
    assert sorted(statuses.values()) == ["delivered", "delivered", "delivered"]
    assert Case.objects.get(pk=denied.pk).decision_reason == "驾驶员有交通肇事犯罪记录"


def test_a_bundle_that_must_be_granted_whole_refuses_a_partial_result(driver, window, ride):
    BundlePolicy.objects.create(bundle=ride, partial_allowed=False)
    bc = bundle_accept(actor=window, bc=_apply(driver, ride))
    first, *_rest = children(bc)
    review_to_decision(first, approve=False, reason="车辆不符合条件")
    with pytest.raises(DomainError) as refused:
        bundle_continue_partial(actor=driver, bc=bc)
    assert refused.value.code == "bundle_partial_refused"
    assert "全部事项准予" in refused.value.message
    assert BundleCase.objects.get(pk=bc.pk).partial_confirmed is False


def test_bundle_bad_input_changes_nothing(driver, ride):
    result = catalog_selectors.bundle_materials_for(ride, RIDE_ANSWERS)
    supplied = _all_uploads(ride, RIDE_ANSWERS)
    not_deferrable = next(n.material for n in result.materials if not n.material.deferrable)
    first = result.materials[0].material
    cases = [
        ({**supplied, not_deferrable.pk: Supplied(way="deferred")}, "not_deferrable"),
        ({**supplied, not_deferrable.pk: Supplied(way="commitment")}, "not_committable"),
        ({k: v for k, v in supplied.items() if k != first.pk}, "materials_missing"),
        ({**supplied, first.pk: Supplied(name="a.png", data=b"not an image")}, "upload_refused"),
    ]
    for given, code in cases:
        with pytest.raises(DomainError) as refused:
            bundle_apply(
                actor=driver,
                bundle=ride,
                applicant=driver.person,
                answers=RIDE_ANSWERS,
                form_data=FORM,
                supplied=given,
            )
        assert refused.value.code == code, code
    assert (BundleCase.objects.count(), BundleMember.objects.count(), Case.objects.count()) == (
        0,
        0,
        0,
    )


def test_the_same_application_posted_twice_is_one_bundle(driver, ride):
    first = _apply(driver, ride, idempotency_key="k1")
    again = _apply(driver, ride, idempotency_key="k1")
    assert first.pk == again.pk
    assert BundleCase.objects.count() == 1


def test_bundle_delivery_tells_the_applicant_once_with_every_result(driver, window, ride):
    from tongban.core.models import Notification

    bc = bundle_accept(actor=window, bc=_apply(driver, ride))
    for case in children(bc):
        case = review_to_decision(case, approve=True)
        case_issue(actor=staff_for(case, "approver"), case=case)
    before = set(Notification.objects.filter(person=driver.person).values_list("pk", flat=True))
    bc = bundle_deliver(actor=window, bc=BundleCase.objects.get(pk=bc.pk), method="window")
    new = list(Notification.objects.filter(person=driver.person).exclude(pk__in=before))
    assert [n.title for n in new] == ["一件事统一出件"]
    codes = {c.events.filter(action="deliver").get().payload["pickup_code"] for c in children(bc)}
    assert len(codes) == 1  # one pickup code for the one delivery (一口出件)
    body = new[0].body
    assert body.startswith(f"一件事 {bc.bundle_no}（{ride.name}）：全部事项已办结")
    for case in children(bc):
        assert f"{case.item_version.name}：已出证" in body
    assert f"取件码 {codes.pop()}" in body
