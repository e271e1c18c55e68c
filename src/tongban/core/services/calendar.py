"""Maintaining the working-day calendar: a year's schedule in one step, single overrides."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from .. import workdays
from ..errors import CoreErrorCode, ValidationFailed
from ..models import CalendarOverride, CalendarYear, User
from ..permissions import Perm, require_perm
from .audit import audit

HOLIDAY_WORDS = {"放假", "休", "休息", "holiday", "off"}
WORKDAY_WORDS = {"上班", "班", "调休上班", "workday", "work"}
_RANGE_SEPARATOR = r"(?:~|～|\.\.|至|到|—|--)"
_RANGE = re.compile(
    rf"^(\d{{4}}-\d{{2}}-\d{{2}})\s*{_RANGE_SEPARATOR}\s*(\d{{4}}-\d{{2}}-\d{{2}})$"
)


@dataclass
class YearSchedule:
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)


def _invalid(message, line_no: int | None = None, **params) -> ValidationFailed:
    if line_no is not None:
        message = _g("第 %(line)d 行：") % {"line": line_no} + str(message)
    return ValidationFailed(
        CoreErrorCode.CALENDAR_SCHEDULE_INVALID, message, field="schedule", **params
    )


def _parse_dates(text: str, line_no: int) -> list[dt.date]:
    dates: list[dt.date] = []
    # Spaces around a range's separator belong to the range ("2027-02-06 至 2027-02-13").
    text = re.sub(rf"\s*({_RANGE_SEPARATOR})\s*", r"\1", text.strip())
    for part in re.split(r"[,，、\s]+", text):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        try:
            if match:
                start, end = (dt.date.fromisoformat(g) for g in match.groups())
                if end < start:
                    raise _invalid(_("日期范围 %(part)s 的结束早于开始。"), line_no, part=part)
                dates.extend(start + dt.timedelta(days=i) for i in range((end - start).days + 1))
            else:
                dates.append(dt.date.fromisoformat(part))
        except ValueError:
            raise _invalid(
                _("“%(part)s”不是有效的日期（应为 YYYY-MM-DD 或 YYYY-MM-DD~YYYY-MM-DD）。"),
                line_no,
                part=part[:40],
            ) from None
    return dates


def parse_year_schedule(year: int, text: str) -> YearSchedule:
    """Parse a year's schedule as published, one holiday a line::

    春节：放假 2027-02-06~2027-02-13；上班 2027-02-14、2027-02-20
    """
    schedule = YearSchedule()
    first_allowed = dt.date(year - 1, 12, 1)  # 元旦 may start in the last days of December
    last_allowed = dt.date(year, 12, 31)
    for line_no, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, rest = _split_name(line)
        if not sep or not name.strip():
            raise _invalid(_("应以节日名称和冒号开头，如“春节：放假 …；上班 …”。"), line_no)
        name = name.strip()
        for segment in re.split(r"[;；]", rest):
            segment = segment.strip()
            if not segment:
                continue
            word, *dates_text = segment.split(None, 1)  # any space, also the full-width one
            word = word.lower()
            if word in HOLIDAY_WORDS:
                target, other = schedule.holidays, schedule.workdays
            elif word in WORKDAY_WORDS:
                target, other = schedule.workdays, schedule.holidays
            else:
                raise _invalid(_("“%(word)s”应为“放假”或“上班”。"), line_no, word=word[:20])
            days = _parse_dates(dates_text[0] if dates_text else "", line_no)
            if not days:
                raise _invalid(_("“%(word)s”后面没有日期。"), line_no, word=word[:20])
            for day in days:
                if not first_allowed <= day <= last_allowed:
                    raise _invalid(
                        _("%(day)s 不在 %(year)d 年的安排范围内。"),
                        line_no,
                        day=day.isoformat(),
                        year=year,
                    )
                if day in other:
                    raise _invalid(
                        _("%(day)s 同时被列为放假和上班。"), line_no, day=day.isoformat()
                    )
                if target is schedule.workdays and day.weekday() < 5:
                    raise _invalid(
                        _("%(day)s 是周一至周五，本就是工作日，不需要调休上班。"),
                        line_no,
                        day=day.isoformat(),
                    )
                target[day] = name
    if not schedule.holidays:
        raise _invalid(_("没有任何放假日期：请按国务院办公厅通知逐行填写。"))
    return schedule


def _split_name(line: str) -> tuple[str, str, str]:
    match = re.match(r"^([^:：]*)([:：])(.*)$", line)
    if not match:
        return line, "", ""
    return match.group(1), match.group(2), match.group(3)


def calendar_year_import(
    *, actor: User | None, year: int, source: str, schedule_text: str, notes: str = ""
) -> CalendarYear:
    """Enter (or replace) a year's holiday schedule in one step; the table then covers the year."""
    if actor is not None:
        require_perm(actor, Perm.CALENDAR_MANAGE)
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("年份：应在 2000 至 2100 之间。"), field="year"
        )
    source = (source or "").strip()
    if not source:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT,
            _("依据文号：请填写国务院办公厅通知的文号。"),
            field="source",
        )
    schedule = parse_year_schedule(int(year), schedule_text)
    with transaction.atomic():
        calendar_year, _created = CalendarYear.objects.update_or_create(
            year=year, defaults={"source": source, "notes": notes}
        )
        CalendarOverride.objects.filter(calendar_year=calendar_year).delete()
        days = sorted(schedule.holidays.keys() | schedule.workdays.keys())
        CalendarOverride.objects.filter(date__in=days).delete()
        CalendarOverride.objects.bulk_create(
            CalendarOverride(
                date=day,
                is_workday=day in schedule.workdays,
                name=schedule.workdays.get(day) or schedule.holidays.get(day, ""),
                calendar_year=calendar_year,
                source=source,
            )
            for day in days
        )
        audit(
            stream=f"calendar:{year}",
            action="year_imported",
            actor=actor,
            payload={
                "source": source,
                "holidays": [d.isoformat() for d in sorted(schedule.holidays)],
                "workdays": [d.isoformat() for d in sorted(schedule.workdays)],
            },
        )
        transaction.on_commit(workdays.invalidate)
    return calendar_year


def calendar_override_set(
    *, actor: User | None, date: dt.date, is_workday: bool, name: str = "", source: str = ""
) -> CalendarOverride:
    """Mark one date as a holiday or a working day, whatever the package says."""
    if actor is not None:
        require_perm(actor, Perm.CALENDAR_MANAGE)
    with transaction.atomic():
        override, _created = CalendarOverride.objects.update_or_create(
            date=date,
            defaults={"is_workday": is_workday, "name": name, "source": source},
        )
        audit(
            stream=f"calendar:{date.year}",
            action="override_set",
            actor=actor,
            payload={
                "date": date.isoformat(),
                "is_workday": is_workday,
                "name": name,
                "source": source,
            },
        )
        transaction.on_commit(workdays.invalidate)
    return override


def calendar_override_delete(*, actor: User | None, date: dt.date) -> None:
    if actor is not None:
        require_perm(actor, Perm.CALENDAR_MANAGE)
    with transaction.atomic():
        deleted, _info = CalendarOverride.objects.filter(date=date).delete()
        if deleted:
            audit(
                stream=f"calendar:{date.year}",
                action="override_deleted",
                actor=actor,
                payload={"date": date.isoformat()},
            )
        transaction.on_commit(workdays.invalidate)


def calendar_year_delete(*, actor: User | None, year: int) -> None:
    """Remove a year's entered schedule: the year is no longer covered unless the package has it."""
    if actor is not None:
        require_perm(actor, Perm.CALENDAR_MANAGE)
    with transaction.atomic():
        deleted, _info = CalendarYear.objects.filter(year=year).delete()
        if deleted:
            audit(
                stream=f"calendar:{year}",
                action="year_deleted",
                actor=actor,
                payload={"year": year},
            )
        transaction.on_commit(workdays.invalidate)
