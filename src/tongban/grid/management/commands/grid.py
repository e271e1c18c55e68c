"""`tongban grid visits-sync` (every few minutes): make the 门边办 visit tasks of applications
marked for a home visit. `tongban grid list`: the grids, their workers and counts."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tongban.grid import selectors
from tongban.grid.services import visit_tasks_sync


class Command(BaseCommand):
    help = (
        "Grids. `grid visits-sync` creates the door-side visit tasks (门边办) of cases marked for "
        "a home visit (idempotent); `grid list` prints every grid with its workers and counts."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("visits-sync", help="create the visit tasks of marked cases")
        sub.add_parser("list", help="list the grids")

    def handle(self, *args, action: str, **options):
        if action == "visits-sync":
            created, unrouted = visit_tasks_sync()
            self.stdout.write(
                f"grid visits-sync: {created} tasks created, {unrouted} cases wait for a grid"
            )
            return
        for grid in selectors.grid_summaries(None, everything=True):
            workers = ", ".join(a.worker.username for a in grid.assignments.all()) or "-"
            communities = ", ".join(c.name for c in grid.communities.all()) or "-"
            self.stdout.write(
                f"{grid.code}\t{grid.name}\t{grid.street.name}\t{communities}\t{workers}\t"
                f"events {grid.event_count}\topen visits {grid.open_tasks}"
            )
