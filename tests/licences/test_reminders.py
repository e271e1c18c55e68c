"""提醒办: a licence with an expiry is reminded ``reminder_days`` before it, once, with a link to
the renewal item; revoked, superseded and permanent licences are not."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import EnterpriseFactory, PersonFactory
from tests.licences.factories import LicenceTypeFactory, issue
from tongban.core.models import Notification
from tongban.licences.models import HolderKind, LicenceEvent, Reminder, ValidityKind
from tongban.licences.services import licence_revoke
from tongban.licences.services.reminders import reminders_schedule, reminders_send

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def licence_type(db):
    return LicenceTypeFactory(
        name="网络预约出租汽车驾驶员证", reminder_days=30, renewal_item_code="330199-WYC-HZ"
    )


@pytest.fixture
def person(db):
    return PersonFactory(name="陈建国")


@pytest.fixture
def licence(licence_type, person):
    return issue(
        licence_type,
        holder=person,
        issued_on=dt.date(2022, 12, 31),
        valid_until=dt.date(2026, 12, 31),
    )


def test_issuing_schedules_one_reminder(licence):
    reminder = Reminder.objects.get(licence=licence)
    assert (reminder.kind, reminder.due_on, reminder.sent_at) == (
        "expiry",
        dt.date(2026, 12, 1),
        None,
    )
    reminders_schedule(licence=licence)  # idempotent
    assert Reminder.objects.filter(licence=licence).count() == 1


def test_a_permanent_licence_has_no_reminder(person):
    permanent = LicenceTypeFactory(validity_kind=ValidityKind.PERMANENT, validity_years=None)
    licence = issue(permanent, holder=person, valid_until=None)
    assert licence.valid_until is None
    assert not Reminder.objects.filter(licence=licence).exists()


def test_a_reminder_is_sent_on_its_day_and_only_once(licence, person):
    with time_machine.travel(dt.datetime(2026, 11, 30, 8, 0, tzinfo=TZ), tick=False):
        assert reminders_send(today=dt.date(2026, 11, 30)) == 0
        assert not Notification.objects.exists()
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=TZ), tick=False):
        assert reminders_send(today=dt.date(2026, 12, 1)) == 1
        assert reminders_send(today=dt.date(2026, 12, 1)) == 0
    with time_machine.travel(dt.datetime(2026, 12, 5, 8, 0, tzinfo=TZ), tick=False):
        assert reminders_send(today=dt.date(2026, 12, 5)) == 0
    note = Notification.objects.get()
    assert note.person == person
    assert note.title == "证照到期提醒：网络预约出租汽车驾驶员证"
    assert note.body == (
        f"您的网络预约出租汽车驾驶员证（编号 {licence.number}）将于 2026-12-31 到期"
        "（还有 30 天），请及时办理换证。"
    )
    assert note.link == "/items/330199-WYC-HZ/"
    reminder = Reminder.objects.get(licence=licence)
    assert reminder.sent_at == dt.datetime(2026, 12, 1, 8, 0, tzinfo=TZ)
    event = LicenceEvent.objects.get(licence=licence, action="reminded")
    assert event.payload == {
        "kind": "expiry",
        "due_on": "2026-12-01",
        "link": "/items/330199-WYC-HZ/",
    }


def test_a_missed_day_is_caught_up(licence):
    """The daily run did not happen on the due day: the next run sends it."""
    assert reminders_send(today=dt.date(2026, 12, 3)) == 1
    assert Notification.objects.get().body.endswith("（还有 28 天），请及时办理换证。")


def test_a_revoked_licence_is_not_reminded(licence):
    licence_revoke(licence=licence, reason="吊销", actor_label="测试")
    assert reminders_send(today=dt.date(2026, 12, 1)) == 0
    assert not Notification.objects.exists()
    assert Reminder.objects.get(licence=licence).sent_at is not None  # closed, never again


def test_without_a_renewal_item_the_link_is_the_wallet(person):
    licence_type = LicenceTypeFactory(reminder_days=10, renewal_item_code="")
    licence = issue(
        licence_type,
        holder=person,
        issued_on=dt.date(2022, 1, 10),
        valid_until=dt.date(2027, 1, 10),
    )
    assert reminders_send(today=dt.date(2026, 12, 31)) == 1
    assert Notification.objects.get().link == f"/my/licences/{licence.pk}/"


def test_an_enterprise_licence_reminds_its_legal_representative(db):
    legal = PersonFactory(name="周海")
    enterprise = EnterpriseFactory(name="云溪鲜食餐饮有限公司", legal_representative=legal)
    licence_type = LicenceTypeFactory(holder_kind=HolderKind.ENTERPRISE, reminder_days=30)
    issue(
        licence_type,
        holder=enterprise,
        issued_on=dt.date(2021, 12, 31),
        valid_until=dt.date(2026, 12, 31),
    )
    assert reminders_send(today=dt.date(2026, 12, 1)) == 1
    assert Notification.objects.get().person == legal


def test_a_reminder_due_before_issue_falls_on_the_issue_day(licence_type, person):
    licence = issue(
        licence_type,
        holder=person,
        issued_on=dt.date(2026, 12, 20),
        valid_until=dt.date(2026, 12, 31),
    )
    assert Reminder.objects.get(licence=licence).due_on == dt.date(2026, 12, 20)
