"""`tongban knowledge flag-expired` (daily): tell the owning departments about articles past
their validity, once per expiry. `tongban knowledge sync-catalog`: mirror the catalogue's
published service guides as articles (idempotent). `tongban knowledge warm`: build the search
index now and say how long it took."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tongban.hotline.knowledge import services
from tongban.hotline.knowledge.index import reset, warm


class Command(BaseCommand):
    help = (
        "The knowledge base. `knowledge flag-expired [--date YYYY-MM-DD]` flags articles past "
        "their validity to their departments' editors (run it daily; a second run does nothing "
        "new); `knowledge sync-catalog` mirrors the published service guides as articles; "
        "`knowledge warm` builds the search index."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        flag = sub.add_parser("flag-expired", help="flag expired articles to their owners")
        flag.add_argument("--date", help="the day to judge validity on (default: today)")
        sub.add_parser("sync-catalog", help="mirror the catalogue's guides as articles")
        sub.add_parser("warm", help="build the search index")

    def handle(self, *args, action: str, **options):
        if action == "flag-expired":
            day = None
            if options.get("date"):
                try:
                    day = dt.date.fromisoformat(options["date"])
                except ValueError:
                    raise CommandError(
                        f"--date: not a date (YYYY-MM-DD): {options['date']}"
                    ) from None
            report = services.articles_flag_expired(today=day)
            self.stdout.write(f"knowledge flag-expired: {report}")
        elif action == "sync-catalog":
            report = services.articles_sync_from_catalog()
            self.stdout.write(f"knowledge sync-catalog: {report}")
        else:
            reset()
            snap = warm()
            self.stdout.write(
                f"knowledge index: {snap.size} articles in {snap.built_seconds:.2f} s"
            )
