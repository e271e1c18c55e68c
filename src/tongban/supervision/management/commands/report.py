"""`tongban report monthly 2026-10`: the monthly report (Excel workbook + PDF), stored and
downloadable from the console. Schedule: on the first working day of each month for the month
before (cron `30 6 1-7 * *` running `report monthly --previous --if-first-workday`)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from tongban.core import workdays
from tongban.core.errors import DomainError
from tongban.supervision import kpis
from tongban.supervision.services.reporting import monthly_report_generate, report_steps


class Command(BaseCommand):
    help = (
        "Reports. `report monthly YYYY-MM` writes the month's workbook and PDF (a month that has "
        "not begun is refused); `report monthly --previous --if-first-workday` is the scheduled "
        "form (does nothing unless today is the month's first working day)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        monthly = sub.add_parser("monthly", help="the monthly report")
        monthly.add_argument("month", nargs="?", help="YYYY-MM, e.g. 2026-10")
        monthly.add_argument("--previous", action="store_true", help="last month")
        monthly.add_argument(
            "--if-first-workday",
            action="store_true",
            help="only on the first working day of the month (for a daily schedule)",
        )

    def handle(self, *args, action: str, **options):
        today = workdays.business_date(timezone.now())
        if options["previous"]:
            month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            if options["if_first_workday"] and not _first_workday(today):
                self.stdout.write("report monthly: not the first working day; nothing to do")
                return
        elif options["month"]:
            try:
                month = kpis.parse_month(options["month"])
            except DomainError as exc:
                raise CommandError(exc.message) from None
        else:
            raise CommandError("give the month as YYYY-MM (e.g. 2026-10), or --previous")
        bar = tqdm(total=report_steps(), desc=f"report {month:%Y-%m}", unit="step")
        try:
            report = monthly_report_generate(month=month, progress=lambda _s: bar.update(1))
        except DomainError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()
        self.stdout.write(report.summary)
        self.stdout.write(f"workbook: {report.workbook.path}")
        self.stdout.write(f"pdf: {report.pdf.path}")


def _first_workday(today: dt.date) -> bool:
    day = today.replace(day=1)
    while not workdays.is_workday(day):
        day += dt.timedelta(days=1)
    return day == today
