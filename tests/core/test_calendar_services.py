"""Maintaining the calendar: overrides win over the package, a year imported in one step."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_staff
from tongban.core import workdays
from tongban.core.errors import (
    CalendarNotCovered,
    CoreErrorCode,
    PermissionDenied,
    ValidationFailed,
)
from tongban.core.models import AuditEvent, CalendarOverride, CalendarYear
from tongban.core.permissions import Role
from tongban.core.services import (
    calendar_override_delete,
    calendar_override_set,
    calendar_year_delete,
    calendar_year_import,
)

from .holiday_schedules import (
    SCHEDULE_2027,
    SCHEDULE_2027_HOLIDAY_COUNT,
    SCHEDULE_2027_MAKEUP,
    SOURCE_2027,
)

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture
def calendar_admin(department):
    return make_staff(Role.ADMINISTRATOR, department=department, username="calendar_admin")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the service's on-commit callbacks (the test transaction itself never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def import_2027(actor, text=SCHEDULE_2027, source=SOURCE_2027):
    return calendar_year_import(actor=actor, year=2027, source=source, schedule_text=text)


def nothing_written():
    return (
        CalendarYear.objects.count(),
        CalendarOverride.objects.count(),
        AuditEvent.objects.filter(stream__startswith="calendar:").count(),
    ) == (0, 0, 0)


# --- single overrides ------------------------------------------------------------------------


def test_override_makes_a_weekday_a_holiday(calendar_admin, commit):
    assert workdays.add_workdays(D("2026-03-09"), 1) == D("2026-03-10")  # index built first
    with commit():
        calendar_override_set(
            actor=calendar_admin, date=D("2026-03-10"), is_workday=False, name="台风停工"
        )
    assert workdays.is_workday(D("2026-03-10")) is False
    assert workdays.holiday_name(D("2026-03-10")) == "台风停工"
    assert workdays.add_workdays(D("2026-03-09"), 1) == D("2026-03-11")
    assert workdays.workdays_between(D("2026-03-09"), D("2026-03-13")) == 3


def test_override_wins_over_the_package_both_ways(calendar_admin, commit):
    with commit():
        calendar_override_set(actor=calendar_admin, date=D("2026-10-07"), is_workday=True)
        calendar_override_set(actor=calendar_admin, date=D("2026-03-14"), is_workday=True)
    assert workdays.is_workday(D("2026-10-07")) is True  # a package holiday
    assert workdays.holiday_name(D("2026-10-07")) == ""
    assert workdays.add_workdays(D("2026-09-30"), 1) == D("2026-10-07")
    assert workdays.is_workday(D("2026-03-14")) is True  # a Saturday
    assert workdays.add_workdays(D("2026-03-13"), 1) == D("2026-03-14")


def test_index_changes_only_when_the_write_commits(
    calendar_admin, django_capture_on_commit_callbacks
):
    assert workdays.is_workday(D("2026-03-10")) is True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calendar_override_set(actor=calendar_admin, date=D("2026-03-10"), is_workday=False)
    assert workdays.is_workday(D("2026-03-10")) is True  # not committed yet
    assert [c.__name__ for c in callbacks] == ["invalidate"]
    callbacks[0]()
    assert workdays.is_workday(D("2026-03-10")) is False


def test_override_set_and_delete_are_audited(calendar_admin, commit):
    with commit():
        calendar_override_set(
            actor=calendar_admin, date=D("2026-03-10"), is_workday=False, source="云政发〔2026〕1号"
        )
    with commit():
        calendar_override_delete(actor=calendar_admin, date=D("2026-03-10"))
    assert workdays.is_workday(D("2026-03-10")) is True
    assert CalendarOverride.objects.count() == 0
    events = list(AuditEvent.objects.filter(stream="calendar:2026").order_by("seq"))
    assert [(e.seq, e.action, e.actor_id) for e in events] == [
        (1, "override_set", calendar_admin.pk),
        (2, "override_deleted", calendar_admin.pk),
    ]
    assert events[0].payload == {
        "date": "2026-03-10",
        "is_workday": False,
        "name": "",
        "source": "云政发〔2026〕1号",
    }


def test_override_by_staff_without_the_permission_changes_nothing(staff_factory):
    clerk = staff_factory(Role.WINDOW_CLERK, username="no_calendar")
    with pytest.raises(PermissionDenied):
        calendar_override_set(actor=clerk, date=D("2026-03-10"), is_workday=False)
    assert nothing_written()
    assert workdays.is_workday(D("2026-03-10")) is True


# --- importing a whole year ------------------------------------------------------------------


def test_2027_is_refused_until_imported(calendar_admin, commit):
    for call in (
        lambda: workdays.is_workday(D("2027-01-04")),
        lambda: workdays.add_workdays(D("2026-12-31"), 1),  # the result would spill into 2027
    ):
        with pytest.raises(CalendarNotCovered) as caught:
            call()
        assert caught.value.year == 2027
        assert "2027" in caught.value.message

    with commit():
        year = import_2027(calendar_admin)

    assert (year.year, year.source) == (2027, SOURCE_2027)
    assert workdays.covered_years() == (2004, 2027)
    assert workdays.add_workdays(D("2026-12-31"), 1) == D("2027-01-04")
    assert workdays.workdays_between(D("2026-12-31"), D("2027-01-08")) == 5
    assert workdays.is_workday(D("2027-02-08")) is False  # a Monday in 春节
    assert workdays.holiday_name(D("2027-02-10")) == "春节"
    assert workdays.is_workday(D("2027-02-14")) is True  # Sunday, adjusted working day
    assert workdays.holiday_name(D("2027-02-14")) == "春节"
    assert workdays.is_workday(D("2027-03-01")) is True  # an ordinary Monday
    assert workdays.is_workday(D("2027-03-06")) is False  # an ordinary Saturday
    assert workdays.add_workdays(D("2027-09-30"), 1) == D("2027-10-08")
    assert workdays.add_workdays(D("2027-10-08"), 1) == D("2027-10-09")
    with pytest.raises(CalendarNotCovered) as caught:
        workdays.add_workdays(D("2027-12-31"), 1)
    assert caught.value.year == 2028


def test_import_writes_the_rows_and_one_audit_event(calendar_admin, commit):
    with commit():
        import_2027(calendar_admin)
    rows = CalendarOverride.objects.filter(calendar_year_id=2027)
    assert rows.filter(is_workday=False).count() == SCHEDULE_2027_HOLIDAY_COUNT
    assert sorted(
        d.isoformat() for d in rows.filter(is_workday=True).values_list("date", flat=True)
    ) == list(SCHEDULE_2027_MAKEUP)
    assert set(rows.values_list("source", flat=True)) == {SOURCE_2027}
    event = AuditEvent.objects.get(stream="calendar:2027")
    assert (event.action, event.actor_id, event.seq) == ("year_imported", calendar_admin.pk, 1)
    assert event.payload["source"] == SOURCE_2027
    assert event.payload["workdays"] == list(SCHEDULE_2027_MAKEUP)
    assert len(event.payload["holidays"]) == SCHEDULE_2027_HOLIDAY_COUNT


def test_reimport_replaces_the_year(calendar_admin, commit):
    with commit():
        import_2027(calendar_admin)
    second = "元旦：放假 2027-01-01\n春节：放假 2027-02-08~2027-02-12；上班 2027-02-20\n"
    with commit():
        import_2027(calendar_admin, text=second, source="国办发明电〔2026〕100号")
    assert sorted(
        (d.isoformat(), w) for d, w in CalendarOverride.objects.values_list("date", "is_workday")
    ) == [
        ("2027-01-01", False),
        ("2027-02-08", False),
        ("2027-02-09", False),
        ("2027-02-10", False),
        ("2027-02-11", False),
        ("2027-02-12", False),
        ("2027-02-20", True),
    ]
    assert CalendarYear.objects.get(year=2027).source == "国办发明电〔2026〕100号"
    assert workdays.is_workday(D("2027-10-04")) is True  # no longer a holiday
    assert workdays.is_workday(D("2027-02-14")) is False  # no longer a working Sunday
    assert workdays.is_workday(D("2027-02-20")) is True
    assert list(AuditEvent.objects.filter(stream="calendar:2027").values_list("seq", "action")) == [
        (1, "year_imported"),
        (2, "year_imported"),
    ]


BAD_SCHEDULES = [
    (
        "春节：放假 2027-02-30",
        "第 1 行：“2027-02-30”不是有效的日期（应为 YYYY-MM-DD 或 YYYY-MM-DD~YYYY-MM-DD）。",
    ),
    (
        "春节：放假 2027-02-13~2027-02-06",
        "第 1 行：日期范围 2027-02-13~2027-02-06 的结束早于开始。",
    ),
    (
        "元旦：放假 2027-01-01\n春节：放假 2027-02-06~2027-02-13；上班 2027-02-13",
        "第 2 行：2027-02-13 同时被列为放假和上班。",
    ),
    (
        "春节：放假 2027-02-06；上班 2027-02-08",
        "第 1 行：2027-02-08 是周一至周五，本就是工作日，不需要调休上班。",
    ),
    ("国庆节：放假 2028-10-01", "第 1 行：2028-10-01 不在 2027 年的安排范围内。"),
    ("国庆节：放假 2026-10-01", "第 1 行：2026-10-01 不在 2027 年的安排范围内。"),
    ("", "没有任何放假日期：请按国务院办公厅通知逐行填写。"),
    ("# 只有注释\n\n", "没有任何放假日期：请按国务院办公厅通知逐行填写。"),
    ("放假 2027-01-01", "第 1 行：应以节日名称和冒号开头，如“春节：放假 …；上班 …”。"),
    ("元旦：休假 2027-01-01", "第 1 行：“休假”应为“放假”或“上班”。"),
]


@pytest.mark.parametrize(("text", "message"), BAD_SCHEDULES)
def test_bad_schedule_is_refused_and_changes_nothing(calendar_admin, text, message):
    with pytest.raises(ValidationFailed) as caught:
        import_2027(calendar_admin, text=text)
    error = caught.value
    assert (error.code, error.field, error.message) == (
        CoreErrorCode.CALENDAR_SCHEDULE_INVALID,
        "schedule",
        message,
    )
    assert nothing_written()


@pytest.mark.parametrize("source", ["", "   ", None])
def test_import_without_source_is_refused(calendar_admin, source):
    with pytest.raises(ValidationFailed) as caught:
        import_2027(calendar_admin, source=source)
    assert (caught.value.code, caught.value.field, caught.value.message) == (
        CoreErrorCode.INVALID_INPUT,
        "source",
        "依据文号：请填写国务院办公厅通知的文号。",
    )
    assert nothing_written()


def test_bad_reimport_keeps_the_year_as_it_was(calendar_admin, commit):
    with commit():
        import_2027(calendar_admin)
    before = list(CalendarOverride.objects.values_list("date", "is_workday", "name"))
    with pytest.raises(ValidationFailed):
        import_2027(calendar_admin, text="春节：放假 2027-02-30")
    assert list(CalendarOverride.objects.values_list("date", "is_workday", "name")) == before
    assert AuditEvent.objects.filter(stream="calendar:2027").count() == 1


@pytest.mark.parametrize("role", [Role.WINDOW_CLERK, Role.SUPERVISOR, Role.APPROVER])
def test_import_without_the_permission_is_refused(department, role):
    user = make_staff(role, department=department, username=f"no_perm_{role}")
    with pytest.raises(PermissionDenied) as caught:
        import_2027(user)
    assert caught.value.code == CoreErrorCode.PERMISSION_DENIED
    assert nothing_written()
    with pytest.raises(CalendarNotCovered):
        workdays.is_workday(D("2027-01-04"))


@pytest.mark.django_db
def test_deleting_an_entered_year_uncovers_it_again():
    calendar_year_import(
        actor=None, year=2027, source="测试", schedule_text="元旦：放假 2027-01-01"
    )
    assert workdays.add_workdays(dt.date(2027, 1, 1), 1) == dt.date(2027, 1, 4)
    calendar_year_delete(actor=None, year=2027)
    workdays.invalidate()
    with pytest.raises(CalendarNotCovered):
        workdays.add_workdays(dt.date(2027, 1, 1), 1)
    assert not CalendarOverride.objects.filter(date__year=2027).exists()
    assert AuditEvent.objects.filter(stream="calendar:2027", action="year_deleted").count() == 1
