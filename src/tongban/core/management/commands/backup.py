"""``tongban backup DIR``: a consistent snapshot of the database, the stored files and a manifest
with checksums (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.core.backup import BackupError, backup
from tongban.core.models import SecurityEventKind
from tongban.core.security import security_event_record


class Command(BaseCommand):
    help = "Back up this instance (database snapshot, files, manifest with checksums) into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new or empty directory")
        parser.add_argument(
            "--with-secrets",
            action="store_true",
            help="also copy the data directory's secret files (development setups only)",
        )

    def handle(self, *args, directory: Path, with_secrets: bool, **options):
        try:
            summary = backup(
                directory,
                with_secrets=with_secrets,
                progress=lambda message: self.stderr.write(message),
            )
        except BackupError as exc:
            security_event_record(
                kind=SecurityEventKind.BACKUP,
                actor_name="system",
                target=str(directory)[:300],
                success=False,
                detail={"error": str(exc)[:200]},
            )
            raise CommandError(str(exc)) from exc
        security_event_record(
            kind=SecurityEventKind.BACKUP,
            actor_name="system",
            target=str(summary.directory)[:300],
            detail={"tables": summary.tables, "rows": summary.rows, "files": summary.files},
        )
        self.stdout.write(
            f"OK: backup in {summary.directory}: {summary.tables} tables, {summary.rows} rows, "
            f"{summary.files} files, {summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f} s"
        )
