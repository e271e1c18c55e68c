"""Work notices to staff (工作提醒): sent once per key, to department heads, shown and read."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.core.models import StaffNotice
from tongban.core.notifications import staff_notify, staff_notify_heads
from tongban.core.permissions import Role

pytestmark = pytest.mark.django_db


def test_a_keyed_notice_is_sent_once(staff_factory):
    user = staff_factory(Role.REVIEWER)
    first = staff_notify(user=user, title="红牌", body="办件已超期", key="card:1")
    again = staff_notify(user=user, title="红牌", body="办件已超期", key="card:1")
    assert first.pk == again.pk
    assert StaffNotice.objects.filter(user=user).count() == 1
    staff_notify(user=user, title="催办", body="请尽快办理")
    staff_notify(user=user, title="催办", body="请尽快办理")
    assert StaffNotice.objects.filter(user=user).count() == 3


def test_heads_of_the_department_only(staff_factory, department, other_department):
    head = staff_factory(Role.DEPARTMENT_HEAD, username="head")
    staff_factory(Role.DEPARTMENT_HEAD, dept=other_department, username="other_head")
    staff_factory(Role.REVIEWER, username="not_head")
    notices = staff_notify_heads(department=department, title="红牌", body="x", key="card:9")
    assert [n.user for n in notices] == [head]
    assert staff_notify_heads(department=department, title="红牌", body="x", key="card:9")[
        0
    ].pk == (notices[0].pk)
    assert StaffNotice.objects.count() == 1


def test_home_shows_unread_notices_and_marks_them_read(staff_factory):
    user = staff_factory(Role.REVIEWER, username="rev")
    staff_notify(user=user, title="督办通知", body="请于 3 个工作日内书面答复", link="/console/")
    client = Client()
    client.force_login(user)
    page = client.get("/console/").content.decode()
    assert "督办通知" in page and "1 条未读" in page
    response = client.post("/console/notices/read/")
    assert response.status_code == 302
    assert StaffNotice.objects.get().read_at is not None
    assert "条未读" not in client.get("/console/").content.decode()


def test_marking_read_needs_a_staff_member(applicant_a):
    client = Client()
    client.force_login(applicant_a)
    assert client.post("/console/notices/read/").status_code == 403
    assert Client().post("/console/notices/read/").status_code == 302  # to the login page
