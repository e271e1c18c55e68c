"""The bundle, counter and post-check pages over HTTP: the applicant's one application and bundle
view, the clerk's one acceptance and one delivery, the department's post-check list; refusals
by persona change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory, make_staff
from tongban.cases.models import BundleCase
from tongban.cases.services import case_issue
from tongban.cases.services.bundles import children
from tongban.catalog import selectors as catalog_selectors
from tongban.core.permissions import Role

from .bundle_helpers import RIDE_ANSWERS, review_to_decision, staff_for
from .conftest import PNG
from .test_bundles import FORM

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def driver(district):
    user = UserFactory(username="driver")
    PersonFactory(name="王建国", user=user)
    return user


def _summary(response) -> str:
    text = response.content.decode()
    start = text.find('class="error-summary"')
    return text[start : start + 1500]


def _post_application(client, ride, **extra):
    session = client.session
    session["catalog:answers:bundle:wangyueche"] = RIDE_ANSWERS
    session.save()
    result = catalog_selectors.bundle_materials_for(ride, RIDE_ANSWERS)
    data = {"key": "k-1", "fd_phone": "13905710009", **{f"fd_{k}": v for k, v in FORM.items()}}
    data.update(extra)
    for i, need in enumerate(result.materials):
        data[f"file_{need.material.pk}"] = SimpleUploadedFile(f"m{i}.png", PNG, "image/png")
    return client.post(reverse("cases:bundle-apply", args=["wangyueche"]), data), result


def test_the_applicant_applies_once_and_follows_one_lane_per_department(driver):
    ride = catalog_selectors.get_published_bundle("wangyueche")
    me = _client(driver)
    session = me.session
    session["catalog:answers:bundle:wangyueche"] = RIDE_ANSWERS
    session.save()
    page = me.get(reverse("cases:bundle-apply", args=["wangyueche"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "材料 9 份（分别办理需 15 份）" in text
    assert "3 个事项共用，只交一次" in text
    # a missing upload: an error summary, nothing filed
    bad = me.post(reverse("cases:bundle-apply", args=["wangyueche"]), {"key": "k-0"})
    assert bad.status_code == 400
    assert "<title>错误：" in bad.content.decode()
    assert BundleCase.objects.count() == 0
    response, _result = _post_application(me, ride)
    assert response.status_code == 302, _summary(response)
    bc = BundleCase.objects.get()
    assert response["Location"] == reverse("cases:bundle", args=[bc.bundle_no])
    view = me.get(response["Location"])
    body = view.content.decode()
    assert view.status_code == 200
    assert body.count('class="bundle-lane"') == 2  # 交通运输局 and 公安交警
    assert "待受理" in body
    # another applicant and anonymous: not found / login
    other = UserFactory(username="other")
    PersonFactory(user=other)
    assert _client(other).get(response["Location"]).status_code == 404
    assert Client().get(response["Location"]).status_code == 302


def test_the_clerk_accepts_once_and_delivers_once(driver):
    ride = catalog_selectors.get_published_bundle("wangyueche")
    _post_application(_client(driver), ride)
    bc = BundleCase.objects.get()
    clerk = make_staff(Role.WINDOW_CLERK, username="window")
    staff = _client(clerk)
    listing = staff.get(reverse("cases-console:bundles"))
    assert bc.bundle_no in listing.content.decode()
    reviewer_only = make_staff(Role.REVIEWER, username="rev-only")
    refused = _client(reviewer_only).post(
        reverse("cases-console:bundle-accept", args=[bc.bundle_no]), {"version": bc.version}
    )
    assert refused.status_code in (403, 404)
    assert BundleCase.objects.get(pk=bc.pk).status == "submitted"
    done = staff.post(
        reverse("cases-console:bundle-accept", args=[bc.bundle_no]), {"version": bc.version}
    )
    assert done.status_code == 302
    bc = BundleCase.objects.get(pk=bc.pk)
    assert bc.status == "in_progress"
    early = staff.post(
        reverse("cases-console:bundle", args=[bc.bundle_no]),
        {"method": "window", "version": bc.version},
    )
    assert early.status_code == 400
    assert "还有事项尚未办结" in early.content.decode()
    for case in children(bc):
        case = review_to_decision(case, approve=True)
        case_issue(actor=staff_for(case, "approver"), case=case)
    ok = staff.post(
        reverse("cases-console:bundle", args=[bc.bundle_no]),
        {"method": "window", "version": bc.version},
    )
    assert ok.status_code == 302
    assert BundleCase.objects.get(pk=bc.pk).status == "delivered"
