from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tongban.core.events import chain_verify


class Command(BaseCommand):
    help = "Re-read every hash-chained event log and report each broken link (exit 1 if any)."

    def handle(self, *args, **options):
        report = chain_verify()
        for problem in report.problems:
            self.stdout.write(f"BROKEN {problem}")
        summary = f"{report.events} events in {report.streams} streams checked"
        if report.ok:
            self.stdout.write(f"OK: {summary}, no broken links")
        else:
            raise CommandError(f"{len(report.problems)} broken link(s); {summary}")
