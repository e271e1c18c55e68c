"""`tongban lockers flag-uncollected` (daily, from a scheduler or cron): deposits uncollected
``TONGBAN_LOCKER_UNCOLLECTED_DAYS`` after placement are flagged for mailing and the applicants
told; a second run flags nothing new. `tongban lockers status`: the banks' occupancy."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tongban.selfservice import selectors, services


def flag_uncollected() -> int:
    """The job itself, for a scheduler to call without the command line."""
    return len(services.deposits_flag_uncollected())


class Command(BaseCommand):
    help = (
        "Pickup lockers. `lockers flag-uncollected` flags deposits past the uncollected limit "
        "for mailing (run it daily); `lockers status` prints each bank's free compartments."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("flag-uncollected", help="flag uncollected deposits for mailing")
        sub.add_parser("status", help="free and occupied compartments per bank")

    def handle(self, *args, action: str, **options):
        if action == "flag-uncollected":
            self.stdout.write(f"lockers flag-uncollected: {flag_uncollected()} flagged")
            return
        for bank in selectors.locker_banks():
            occupied = sum(1 for c in bank.compartment_list if c.deposit is not None)
            self.stdout.write(
                f"{bank.code}\t{bank.name}\tfree {bank.free}\toccupied {occupied}"
                f"\tof {len(bank.compartment_list)}"
            )
