from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.errors import DomainError
from tongban.core.identifiers import parse_date
from tongban.core.services import calendar_year_import


class Command(BaseCommand):
    help = (
        "Working-day calendar. `workdays add 2026-09-30 5` prints the 5th working day after "
        "the date; `workdays between A B` prints the working days after A up to and including "
        "B; `workdays import-year 2027 --source 文号 --file schedule.txt` enters a year's "
        "schedule; `workdays show 2026` lists a year's holidays and adjusted working days."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="n-th working day after a date")
        add.add_argument("start")
        add.add_argument("days", type=int)
        between = sub.add_parser("between", help="working days after A up to and including B")
        between.add_argument("start")
        between.add_argument("end")
        imp = sub.add_parser("import-year", help="enter a year's State Council schedule")
        imp.add_argument("year", type=int)
        imp.add_argument("--source", required=True, help="the notice's number (文号)")
        imp.add_argument("--file", required=True, help="schedule text, '-' for standard input")
        show = sub.add_parser("show", help="a year's holidays and adjusted working days")
        show.add_argument("year", type=int)

    def handle(self, *args, action: str, **options):
        try:
            if action == "add":
                start = parse_date(options["start"], field="start", label=_("开始日期"))
                self.stdout.write(workdays.add_workdays(start, options["days"]).isoformat())
            elif action == "between":
                start = parse_date(options["start"], field="start", label=_("开始日期"))
                end = parse_date(options["end"], field="end", label=_("结束日期"))
                self.stdout.write(str(workdays.workdays_between(start, end)))
            elif action == "import-year":
                self._import(options)
            else:
                self._show(options["year"])
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _import(self, options) -> None:
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else _("不是 UTF-8 编码")
            raise CommandError(
                _("放假安排文件：无法读取 %(name)s（%(reason)s）。")
                % {"name": name, "reason": reason}
            ) from None
        year = calendar_year_import(
            actor=None, year=options["year"], source=options["source"], schedule_text=text
        )
        count = year.overrides.count()
        self.stdout.write(f"{year.year}: {count} dates entered ({year.source})")

    def _show(self, year: int) -> None:
        day = dt.date(year, 1, 1)
        while day.year == year:
            ordinary = day.weekday() < 5
            if workdays.is_workday(day) != ordinary:
                kind = "上班" if workdays.is_workday(day) else "放假"
                self.stdout.write(f"{day.isoformat()}\t{kind}\t{workdays.holiday_name(day)}")
            day += dt.timedelta(days=1)
