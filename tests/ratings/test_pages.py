"""The permission matrix of every ratings page (anonymous, the applicant, another applicant, a
clerk, a handler of the department, a handler of another department, a supervisor), the
rater's identity hidden from staff until a handler's logged reveal, the applicant's case page
link, the read-only admin and the `ratings` command."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from tests.factories import UserFactory
from tongban.core.models import Notification
from tongban.ratings import services
from tongban.ratings.models import ContactView, Rating, RatingDevice, RatingLink

from .conftest import at, client_for

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "applicant", "other", "clerk", "handler", "other_handler", "supervisor"]


@pytest.fixture
def people(applicant, other_applicant, clerk, handler, other_handler, supervisor):
    return {
        "applicant": applicant,
        "other": other_applicant,
        "clerk": clerk,
        "handler": handler,
        "other_handler": other_handler,
        "supervisor": supervisor,
    }


def client_of(people, who: str) -> Client:
    return Client() if who == "anonymous" else client_for(people[who])


@pytest.fixture
def bad(applicant, case):
    with time_machine.travel(at("2026-11-03", 10), tick=False):
        services.rating_submit_web(
            user=applicant, kind="case", ref=case.case_no, level=1, comment="等了很久"
        )
    return Rating.objects.get().rectification


def _status(response) -> int | str:
    if response.status_code == 302:
        return "login" if "login" in response["Location"] else response["Location"]
    return response.status_code


RATE_PAGE = {
    "anonymous": "login",
    "applicant": 200,
    "other": 404,
    "clerk": 403,
    "handler": 403,
    "other_handler": 403,
    "supervisor": 403,
}


@pytest.mark.parametrize("who", PERSONAS)
def test_rate_page_matrix(people, case, who):
    response = client_of(people, who).get(f"/rate/case/{case.case_no}/")
    assert _status(response) == RATE_PAGE[who]
    response = client_of(people, who).post(f"/rate/case/{case.case_no}/", {"level": "5"})
    expected = "/rate/thanks/" if who == "applicant" else RATE_PAGE[who]
    assert _status(response) == expected
    assert Rating.objects.count() == (1 if who == "applicant" else 0)


WORK_LIST = {
    "anonymous": "login",
    "applicant": 403,
    "other": 403,
    "clerk": 403,
    "handler": 200,
    "other_handler": 200,
    "supervisor": 200,
}
DETAIL = {**WORK_LIST, "clerk": 404, "other_handler": 404}
CONTACT = {**DETAIL, "supervisor": 403}
FLAGGED = {**WORK_LIST, "handler": 403, "other_handler": 403}
DEVICES = {**FLAGGED, "supervisor": 403}
COUNTER = {**DEVICES, "clerk": 200}


@pytest.mark.parametrize("who", PERSONAS)
def test_console_pages_matrix(people, bad, who):
    c = client_of(people, who)
    assert _status(c.get("/console/ratings/")) == WORK_LIST[who]
    assert _status(c.get(f"/console/ratings/rectifications/{bad.pk}/")) == DETAIL[who]
    assert _status(c.get("/console/ratings/flagged/")) == FLAGGED[who]
    assert _status(c.get("/console/ratings/devices/")) == DEVICES[who]
    assert _status(c.get("/console/ratings/counter/")) == COUNTER[who]
    response = c.post(f"/console/ratings/rectifications/{bad.pk}/contact/")
    assert _status(response) == CONTACT[who]
    assert ContactView.objects.count() == (1 if who == "handler" else 0)


def test_the_work_list_shows_only_the_departments_rectifications(people, bad):
    assert (
        bad.rating.service_ref
        in client_for(people["handler"]).get("/console/ratings/").content.decode()
    )
    assert (
        bad.rating.service_ref
        not in client_for(people["other_handler"]).get("/console/ratings/").content.decode()
    )
    assert (
        bad.rating.service_ref
        in client_for(people["supervisor"]).get("/console/ratings/").content.decode()
    )


def test_the_rater_is_hidden_until_a_handler_reveals_it_and_the_view_is_logged(people, bad):
    c = client_for(people["handler"])
    page = c.get(f"/console/ratings/rectifications/{bad.pk}/").content.decode()
    assert "张晓明" not in page
    assert "13912345678" not in page
    assert "等了很久" in page
    revealed = c.post(f"/console/ratings/rectifications/{bad.pk}/contact/").content.decode()
    assert "张晓明" in revealed
    assert "13912345678" in revealed
    view = ContactView.objects.get()
    assert (view.viewer, view.rectification_id) == (people["handler"], bad.pk)
    assert list(bad.events.values_list("action", flat=True).order_by("seq")) == [
        "open",
        "contact_view",
    ]
    supervisor_page = client_for(people["supervisor"]).get(
        f"/console/ratings/rectifications/{bad.pk}/"
    )
    assert "13912345678" not in supervisor_page.content.decode()


def test_the_handler_verifies_through_the_page_and_a_stale_form_is_refused(people, bad):
    c = client_for(people["handler"])
    url = f"/console/ratings/rectifications/{bad.pk}/verify/"
    response = c.post(url, {"note": "已回电", "version": "1"})
    assert response.status_code == 302
    response = c.post(url, {"note": "再次回电", "version": "1"})
    assert response.status_code == 422
    bad.refresh_from_db()
    assert (bad.status, bad.version) == ("rectifying", 2)


def test_an_empty_verify_note_shows_an_error_and_changes_nothing(people, bad):
    response = client_for(people["handler"]).post(
        f"/console/ratings/rectifications/{bad.pk}/verify/", {"note": "", "version": "1"}
    )
    assert response.status_code == 422
    assert (
        'class="error-summary' in response.content.decode() or "错误" in response.content.decode()
    )
    bad.refresh_from_db()
    assert bad.status == "verifying"


# ---------------------------------------------------------------- the applicant's case page


def test_case_page_links_to_the_rating_page_once_concluded(applicant, make_case, item):
    done = make_case(item)
    open_ = make_case(item, status="in_review", decided=None)
    c = client_for(applicant)
    assert f"/rate/case/{done.case_no}/" in c.get(f"/my/cases/{done.case_no}/").content.decode()
    assert (
        f"/rate/case/{open_.case_no}/" not in c.get(f"/my/cases/{open_.case_no}/").content.decode()
    )


# ---------------------------------------------------------------- admin


def test_admin_is_read_only_even_for_a_superuser(bad):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    c = client_for(admin)
    rating = bad.rating
    assert c.get(f"/admin/ratings/rating/{rating.pk}/change/").status_code == 200
    assert c.post(f"/admin/ratings/rating/{rating.pk}/change/", {"level": "5"}).status_code == 403
    assert c.post(f"/admin/ratings/rating/{rating.pk}/delete/", {"post": "yes"}).status_code == 403
    assert c.get("/admin/ratings/rating/add/").status_code == 403
    rating.refresh_from_db()
    assert rating.level == 1
    assert Rating.objects.count() == 1


# ---------------------------------------------------------------- the command


def test_invite_sends_one_signed_link_per_concluded_case_once(applicant, case):
    out = io.StringIO()
    with time_machine.travel(at("2026-11-03", 10), tick=False):
        call_command("ratings", "invite", stdout=out)
        call_command("ratings", "invite", stdout=out)
    assert out.getvalue().splitlines() == [
        "ratings invite: 1 cases, 0 tickets",
        "ratings invite: 0 cases, 0 tickets",
    ]
    link = RatingLink.objects.get()
    assert (link.service_kind, link.service_ref) == ("case", case.case_no)
    notice = Notification.objects.get(person=applicant.person)
    assert "/rate/s/" in notice.body


def test_auto_default_is_off_unless_configured(case):
    out = io.StringIO()
    call_command("ratings", "auto-default", stdout=out)
    assert "off" in out.getvalue()
    assert Rating.objects.count() == 0


@override_settings(TONGBAN_RATING_DEFAULT_DAYS=7)
def test_auto_default_records_basic_after_n_natural_days(make_case, item):
    old = make_case(item, decided="2026-11-02")
    recent = make_case(item, decided="2026-11-08")
    out = io.StringIO()
    with time_machine.travel(at("2026-11-10", 10), tick=False):
        call_command("ratings", "auto-default", stdout=out)
        call_command("ratings", "auto-default", stdout=out)
    assert out.getvalue().splitlines() == [
        "ratings auto-default: 1 cases, 0 tickets",
        "ratings auto-default: 0 cases, 0 tickets",
    ]
    rating = Rating.objects.get()
    assert (rating.service_ref, rating.level, rating.channel) == (old.case_no, 3, "default")
    assert not Rating.objects.filter(service_ref=recent.case_no).exists()


def test_device_create_prints_the_pairing_url(mzj):
    out = io.StringIO()
    call_command(
        "ratings", "device", "create", "3号窗口", "--department", "mzj", "--code", "W9", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "device: W9 (mzj · 3号窗口)"
    token = lines[1].removeprefix("token: ")
    assert lines[2] == f"pairing URL: http://127.0.0.1:8000/rate/device/pair/{token}/"
    assert services.device_by_token(token) == RatingDevice.objects.get(code="W9")
    with pytest.raises(CommandError, match="no department"):
        call_command("ratings", "device", "create", "1号窗口", "--department", "nope")
