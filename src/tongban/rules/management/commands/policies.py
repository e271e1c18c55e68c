"""`tongban policies match [--policy CODE] [--today YYYY-MM-DD] [--no-notify]`: find the persons
and enterprises eligible for each active policy, record and tell them, and create the benefit
case of automatic (免申即享) policies. Idempotent: run it nightly (see docs/rules.md for the
systemd timer / cron line). `tongban policies list`: the policies and their match counts."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongban.rules.models import Policy
from tongban.rules.selectors import policies
from tongban.rules.services import policies_match


class Command(BaseCommand):
    help = "Policies (政策通/免申即享): match eligible persons and enterprises; list policies."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        match = sub.add_parser("match", help="match policies (nightly)")
        match.add_argument("--policy", help="one policy's code (default: every active policy)")
        match.add_argument("--today", help="the business date to judge on (default: today)")
        match.add_argument("--no-notify", action="store_true", help="record without telling")
        sub.add_parser("list", help="list policies")

    def handle(self, *args, action: str, **options):
        if action == "list":
            for p in policies():
                auto = "免申即享" if p.automatic else ""
                self.stdout.write(
                    f"{p.code:<32} {p.audience:<10} {p.match_count:>6} {auto} {p.name}"
                )
            return
        policy = None
        if options.get("policy"):
            policy = (
                Policy.objects.filter(code=options["policy"]).select_related("rule_set").first()
            )
            if policy is None:
                raise CommandError(f"no policy {options['policy']}")
        today = timezone.localdate()
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today: not a date (YYYY-MM-DD): {options['today']}"
                ) from None
        summary = policies_match(policy=policy, today=today, notify=not options["no_notify"])
        self.stdout.write(
            "policies match: " + ", ".join(f"{k}={v}" for k, v in summary.as_dict().items())
        )
