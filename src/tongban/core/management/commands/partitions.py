"""``tongban partitions ensure`` (scheduled monthly: TONGBAN_SCHEDULE "partitions-ensure")
creates the coming months' partitions of the event tables on PostgreSQL; ``tongban partitions
list`` shows them. On SQLite there are no partitions and both say so."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from tongban.core.partitioning import PARTITIONED_TABLES, ensure_partitions, partitions_of


class Command(BaseCommand):
    help = "Monthly partitions of the event tables (PostgreSQL): ensure | list"

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ensure = sub.add_parser("ensure", help="create this and the next months' partitions")
        ensure.add_argument(
            "--months",
            type=int,
            default=getattr(settings, "TONGBAN_PARTITION_MONTHS_AHEAD", 3),
            help="months ahead of the current one (default: TONGBAN_PARTITION_MONTHS_AHEAD)",
        )
        sub.add_parser("list", help="list the partitions")

    def handle(self, *args, action: str, **options) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write(f"partitions: {connection.vendor} has no partitions; nothing to do")
            return
        if action == "ensure":
            created = ensure_partitions(months_ahead=max(0, options["months"]))
            for table in PARTITIONED_TABLES:
                if table not in created:
                    self.stdout.write(f"{table}: not partitioned (migrate first)")
                    continue
                names = ", ".join(created[table]) or "none needed"
                self.stdout.write(f"{table}: created {names}")
            return
        for table in PARTITIONED_TABLES:
            for name, bounds in partitions_of(table):
                self.stdout.write(f"{table}\t{name}\t{bounds}")
