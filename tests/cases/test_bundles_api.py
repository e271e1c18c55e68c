"""The bundle applications API (/api/v1/bundle-applications): apply for 我要开网约车 with its
9 de-duplicated materials, follow its lanes, the clerk's one acceptance and one delivery; an
applicant sees only their own; bad input is refused and changes nothing."""

from __future__ import annotations

import base64

import pytest

from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.cases.models import BundleCase, Case
from tongban.cases.services import case_issue
from tongban.cases.services.bundles import children
from tongban.catalog import selectors as catalog_selectors
from tongban.core.permissions import Role

from .bundle_helpers import PNG, RIDE_ANSWERS, review_to_decision, staff_for
from .test_api import Api

pytestmark = pytest.mark.django_db

FORM = {"plate_number": "浙A·D12345", "address": "云溪区学府路 18 号", "platform": "云溪出行"}


@pytest.fixture
def driver(district):
    user = UserFactory(username="driver")
    PersonFactory(name="王建国", user=user)
    return user


@pytest.fixture
def other(district):
    user = UserFactory(username="other")
    PersonFactory(name="李春梅", user=user)
    return user


@pytest.fixture
def window(district):
    return make_staff(Role.WINDOW_CLERK, username="window")


def _materials(way_of=None):
    bundle = catalog_selectors.get_published_bundle("wangyueche")
    result = catalog_selectors.bundle_materials_for(bundle, RIDE_ANSWERS)
    content = base64.b64encode(PNG).decode()
    rows = []
    for i, need in enumerate(result.materials):
        rows.append(
            {"material": need.material.pk, "name": f"材料{i}.png", "content_base64": content}
            | ((way_of or {}).get(need.material.name) or {})
        )
    return rows


def _apply(api, **changes):
    body = {"bundle": "wangyueche", "answers": RIDE_ANSWERS, "form_data": FORM}
    body["materials"] = _materials()
    return api.post("/bundle-applications", body | changes, headers={"Idempotency-Key": "k-1"})


def test_apply_follow_accept_and_deliver_through_the_api(driver, other, window):
    me = Api(driver)
    response = _apply(me)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["status"], created["materials_count"], created["materials_without_bundle"]) == (
        "submitted",
        9,
        15,
    )
    assert _apply(me).json()["bundle_no"] == created["bundle_no"]  # a retry: the same one
    assert _apply(me).status_code == 200
    assert BundleCase.objects.count() == 1
    no = created["bundle_no"]

    listed = me.get("/bundle-applications").json()
    assert (listed["count"], listed["items"][0]["bundle_no"]) == (1, no)
    assert Api(other).get("/bundle-applications").json() == {"items": [], "count": 0}
    assert Api(other).get(f"/bundle-applications/{no}").status_code == 404
    assert Api().get(f"/bundle-applications/{no}").status_code == 401
    assert me.post(f"/bundle-applications/{no}/accept").status_code == 403

    clerk = Api(window)
    assert clerk.get("/bundle-applications", status="submitted").json()["count"] == 1
    accepted = clerk.post(f"/bundle-applications/{no}/accept", {"expected_version": 1})
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert body["status"] == "in_progress"
    assert len(body["children"]) == 3
    assert len(body["lanes"]) == 2  # 交通运输 and 公安交警, in parallel
    assert body["due"] == max(c["promised_due"] for c in body["children"])
    stale = clerk.post(f"/bundle-applications/{no}/accept", {"expected_version": 1})
    assert stale.status_code == 409

    bc = BundleCase.objects.get(bundle_no=no)
    kids = children(bc)
    review_to_decision(kids[0], approve=False, reason="驾驶员记分已满，不符合条件")
    for case in kids[1:]:
        case = review_to_decision(case, approve=True)
        case_issue(actor=staff_for(case, "approver"), case=case)
    mine = me.get(f"/bundle-applications/{no}").json()
    assert mine["concluded"] is True
    assert mine["denied"] == [kids[0].case_no]
    assert sorted(mine["granted"]) == sorted(c.case_no for c in kids[1:])
    denied = next(c for c in mine["children"] if c["case_no"] == kids[0].case_no)
    assert (denied["status"], denied["decision_reason"]) == ("denied", "驾驶员记分已满，不符合条件")
    # the applicant's lanes show no internal step events (claim, complete_step)
    actions = {e["action"] for lane in mine["lanes"] for e in lane["events"]}
    assert "claim" not in actions and "deny" in actions

    refused = clerk.post(f"/bundle-applications/{no}/deliver", {"method": "window"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "bundle_partial_refused"
    assert Api(other).post(f"/bundle-applications/{no}/continue").status_code == 404
    assert me.post(f"/bundle-applications/{no}/continue").json()["partial_confirmed"] is True
    done = clerk.post(f"/bundle-applications/{no}/deliver", {"method": "electronic"})
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "delivered"
    assert set(
        Case.objects.filter(bundle_member__bundle_case=bc).values_list("status", flat=True)
    ) == {"delivered"}


def test_bad_applications_are_refused_and_change_nothing(driver):
    me = Api(driver)
    photo = catalog_selectors.get_published_bundle("wangyueche")
    assert photo is not None
    missing = _apply(me, materials=_materials()[1:])
    assert (missing.status_code, missing.json()["code"]) == (422, "materials_missing")
    bad = _materials()
    bad[0]["content_base64"] = "not base64!"
    assert _apply(me, materials=bad).status_code == 422
    not_deferrable = _materials()
    not_deferrable[0] = {"material": not_deferrable[0]["material"], "way": "deferred"}
    refused = _apply(me, materials=not_deferrable)
    assert (refused.status_code, refused.json()["code"]) == (422, "not_deferrable")
    assert (
        me.post("/bundle-applications", {"bundle": "no-such", "materials": []}).status_code == 404
    )
    assert Api().post("/bundle-applications", {"bundle": "wangyueche"}).status_code == 401
    assert BundleCase.objects.count() == 0
    assert Case.objects.count() == 0


def test_list_paging_out_of_range_is_refused_not_a_server_error(driver):
    """The fuzzer found offset=69563508347389108224 answered 500 (SQLite's integer overflow):
    paging values are bounded like every other list of the API."""
    me = Api(driver)
    assert me.get("/bundle-applications", offset=69563508347389108224).status_code == 422
    assert me.get("/bundle-applications", offset=1_000_001).status_code == 422
    assert me.get("/bundle-applications", limit=101).status_code == 422
    ok = me.get("/bundle-applications", offset=1_000_000)
    assert (ok.status_code, ok.json()["items"]) == (200, [])
