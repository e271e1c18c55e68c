"""`tongban merge sweep` (periodic, e.g. hourly): record merge suggestions (并单建议) for the
tickets received in a period against the open tickets before them. Calls
``services.merging.merge_sweep``, a plain function a scheduler can call directly."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongban.core import workdays
from tongban.hotline.services.merging import merge_sweep


def _moment(value: str, option: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option}: not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM): {value}"
        ) from None
    if moment.tzinfo is None:  # a wall-clock time in the business time zone
        moment = moment.replace(tzinfo=workdays.BUSINESS_TZ)
    return moment


class Command(BaseCommand):
    help = (
        "Merging repeated tickets. `merge sweep [--hours N | --since T --until T]` records "
        "suggestions for the tickets received in the period (default: the last 24 hours) "
        "against the open tickets within the merge window before them; a second run over the "
        "same period records nothing new."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sweep = sub.add_parser("sweep", help="record merge suggestions for a period")
        sweep.add_argument("--hours", type=int, default=24, help="the last N hours (default 24)")
        sweep.add_argument("--since", help="start (YYYY-MM-DD[THH:MM], Asia/Shanghai)")
        sweep.add_argument("--until", help="end, exclusive (default: now)")

    def handle(self, *args, action: str, **options):
        now = timezone.now()
        until = _moment(options["until"], "--until") if options.get("until") else now
        if options.get("since"):
            since = _moment(options["since"], "--since")
        else:
            if options["hours"] <= 0:
                raise CommandError("--hours: give a positive number of hours")
            since = until - dt.timedelta(hours=options["hours"])
        if since >= until:
            raise CommandError("--since must be before --until")
        started = time.perf_counter()
        found = merge_sweep(since=since, until=until, now=now)
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"merge sweep {since.astimezone(workdays.BUSINESS_TZ):%Y-%m-%d %H:%M} – "
            f"{until.astimezone(workdays.BUSINESS_TZ):%Y-%m-%d %H:%M}: "
            f"{found} new suggestions in {seconds:.1f} s"
        )
