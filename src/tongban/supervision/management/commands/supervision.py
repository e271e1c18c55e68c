"""`tongban supervision sweep`: raise the supervision cards the data calls for (电子监察).
Schedule: every 15 minutes in working hours (cron `*/15 7-20 * * *`); safe to run at any time,
a second run raises nothing new."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tongban.supervision.services import supervision_sweep


class Command(BaseCommand):
    help = (
        "Electronic supervision. `supervision sweep` raises the deadline and rule-violation "
        "cards not yet raised, records them in the case and ticket histories and tells the "
        "department heads of red cards (run every 15 minutes; idempotent)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sweep", help="raise the cards the data calls for")

    def handle(self, *args, action: str, **options):
        result = supervision_sweep()
        raised = ", ".join(f"{k}/{c}: {n}" for (k, c), n in sorted(result.raised.items()))
        self.stdout.write(
            f"supervision sweep: {result.total} cards raised ({raised or 'none'}), "
            f"{result.notified} red cards sent to department heads; "
            f"{result.checked_cases} cases and {result.checked_tickets} tickets checked"
        )
        for error in result.errors[:20]:
            self.stderr.write(error)
