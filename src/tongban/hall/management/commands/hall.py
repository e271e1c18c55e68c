"""`tongban hall remind` (daily, e.g. at 18:00): SMS reminders to everyone booked for tomorrow,
once per booking. `tongban hall no-shows` (after closing, or hourly): bookings not checked in
by their slot's start plus the grace period become no-shows, numbers left waiting on past days
are closed. `tongban hall status`: each hall's waiting counts and estimated waits."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tongban.core.workdays import BUSINESS_TZ
from tongban.hall import selectors, services


def _moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--at: not a date and time (YYYY-MM-DDTHH:MM): {value}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BUSINESS_TZ)


class Command(BaseCommand):
    help = (
        "The service hall. `hall remind [--at TIME]` sends tomorrow's booking reminders (run "
        "daily; a second run sends nothing new); `hall no-shows [--at TIME]` counts missed "
        "bookings and closes numbers left from past days; `hall status` prints the queues."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="remind everyone booked for tomorrow")
        remind.add_argument("--at", help="pretend it is this time (Asia/Shanghai)")
        noshow = sub.add_parser("no-shows", help="mark missed bookings and stale numbers")
        noshow.add_argument("--at", help="pretend it is this time (Asia/Shanghai)")
        sub.add_parser("status", help="waiting counts and estimated waits of each hall")

    def handle(self, *args, action: str, **options):
        if action == "remind":
            sent = services.bookings_remind(now=_moment(options.get("at")))
            self.stdout.write(f"hall remind: {sent} reminders sent")
        elif action == "no-shows":
            report = services.bookings_mark_no_show(now=_moment(options.get("at")))
            self.stdout.write(
                f"hall no-shows: {report['bookings']} bookings missed, "
                f"{report['numbers']} numbers closed"
            )
        else:
            for hall in selectors.active_halls():
                rows = services.waiting_summary(hall)
                text = ", ".join(
                    f"{r['code']} {r['waiting']} waiting ~{r['estimated_wait_minutes']} min"
                    for r in rows
                )
                self.stdout.write(f"{hall.code}: {text}")
