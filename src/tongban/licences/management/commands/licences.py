"""`tongban licences list|export|verify|import|remind` (docs/licences.md).

``list --limit N`` prints identifiers, one per line, newest first; ``export IDENTIFIER --out
DIR`` writes payload.json, signature.der, public.pem and VERIFY.txt; ``verify DIR`` checks such a
directory offline and exits non-zero when the licence is not valid; ``import FILE --type CODE
--source NAME`` loads licences issued elsewhere; ``remind [--today DATE]`` sends due expiry
reminders.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import DomainError
from tongban.licences import offline, selectors
from tongban.licences.services.imports import licences_import
from tongban.licences.services.reminders import reminders_send


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "E-licences: list, export, verify offline, import, send expiry reminders."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("list", help="print identifiers, newest first")
        p.add_argument("--limit", type=int, default=20)
        p = sub.add_parser("export", help="write a licence's signed data for offline checks")
        p.add_argument("identifier", help="the e-licence identifier (or the printed number)")
        p.add_argument("--out", required=True, help="directory to write to")
        p = sub.add_parser("verify", help="verify an exported directory offline")
        p.add_argument("directory")
        p.add_argument("--today", help="judge validity on this day (YYYY-MM-DD)")
        p = sub.add_parser("import", help="import licences issued by other systems (CSV/xlsx)")
        p.add_argument("path")
        p.add_argument("--type", dest="type_code", required=True, help="licence type code")
        p.add_argument("--source", dest="source_system", required=True, help="source system")
        p = sub.add_parser("remind", help="send the expiry reminders due (run daily)")
        p.add_argument("--today", help="the day to send for (YYYY-MM-DD; default today)")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _list(self, *, limit: int, **_):
        if limit < 0:
            raise CommandError("--limit must be 0 or more")
        for identifier in selectors.licences_recent(limit=limit).values_list(
            "identifier", flat=True
        ):
            self.stdout.write(identifier)

    def _export(self, *, identifier: str, out: str, **_):
        licence = selectors.licence_by_identifier(identifier) or selectors.licence_by_number(
            identifier
        )
        if licence is None:
            raise CommandError(f"no licence {identifier!r}")
        for path in offline.export_licence(licence, Path(out)):
            self.stdout.write(str(path))

    def _verify(self, *, directory: str, today: str | None = None, **_):
        result = offline.verify_directory(Path(directory), today=_date(today, "--today"))
        identifier = result.payload.get("identifier", "?")
        if result.valid:
            self.stdout.write(f"valid: {identifier} (SM2 signature verified)")
            return
        raise CommandError("not valid: " + "; ".join(result.reasons))

    def _import(self, *, path: str, type_code: str, source_system: str, **_):
        try:
            result = licences_import(
                path=Path(path), type_code=type_code, source_system=source_system, progress=True
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"imported {result.created}, skipped {result.skipped}, errors {len(result.errors)}"
        )
        for row, message in result.errors:
            self.stderr.write(f"row {row}: {message}")
        if result.errors and not result.created:
            raise CommandError("nothing imported")

    def _remind(self, *, today: str | None = None, **_):
        day = _date(today, "--today") or selectors.today_date()
        sent = reminders_send(today=day)
        self.stdout.write(f"reminders sent: {sent}")
