"""``tongban restore DIR``: restore a backup of ``tongban backup`` into an empty instance and
compare every table with the backup's manifest (docs/backup.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.core.backup import BackupError, restore, verify


class Command(BaseCommand):
    help = "Restore a backup made by `tongban backup` into this empty instance, then check it."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a directory made by `tongban backup`")
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="only check the backup's files against its manifest; restore nothing",
        )

    def handle(self, *args, directory: Path, verify_only: bool, **options):
        try:
            if verify_only:
                problems = verify(directory)
                for problem in problems:
                    self.stdout.write(f"DAMAGED {problem}")
                if problems:
                    raise CommandError(f"{len(problems)} problem(s) in {directory}")
                self.stdout.write(f"OK: every file of {directory} matches its manifest")
                return
            summary = restore(directory, progress=lambda message: self.stderr.write(message))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for problem in summary.problems:
            self.stdout.write(f"DIFFERS {problem}")
        if summary.problems:
            raise CommandError(f"{len(summary.problems)} table(s) differ from the backup")
        self.stdout.write(
            f"OK: restored {summary.tables} tables, {summary.rows} rows and {summary.files} files "
            f"from {summary.directory} in {summary.seconds:.1f} s; every table matches the backup"
        )
