"""`tongban hotline_report day|week|month DATE --out FILE.xlsx`: the hotline report (日报/周报/
月报) of the period holding DATE, as the console's Excel download; prints the headline figures."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import DomainError
from tongban.hotline import reports


class Command(BaseCommand):
    help = (
        "The hotline report of a day, week (Monday to Sunday) or month: "
        "`hotline_report month 2026-10-01 --out report.xlsx`. A period that has not begun is "
        "refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(reports.PeriodKind.values))
        parser.add_argument("date", help="a day in the period (YYYY-MM-DD)")
        parser.add_argument("--out", help="write the Excel workbook here")

    def handle(self, *args, kind: str, date: str, out: str | None = None, **options):
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"date: not a date (YYYY-MM-DD): {date}") from None
        try:
            period = reports.report_period(kind, day)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        report = reports.build(period)
        self.stdout.write(period.label)
        for label, value in reports.summary_rows(report):
            self.stdout.write(f"  {label}: {value}")
        if out:
            with open(out, "wb") as fh:
                fh.write(reports.workbook(report))
            self.stdout.write(f"written: {out}")
