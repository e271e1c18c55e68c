"""`tongban catalog export out.xlsx` / `tongban catalog import in.xlsx` / `tongban catalog check
in.xlsx`: the whole catalogue as a workbook (layout in docs/catalog-workbook.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tongban.catalog.exchange import (
    ImportInvalid,
    catalogue_export,
    catalogue_import,
)


class Command(BaseCommand):
    help = (
        "The service catalogue as an Excel workbook. `catalog export out.xlsx` writes every "
        "theme, life event, item (its current version) and bundle; `catalog import in.xlsx` "
        "checks every row and, when all are valid, writes them in one transaction (nothing "
        "otherwise); `catalog check in.xlsx` only checks."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the catalogue to a workbook")
        export.add_argument("path")
        imp = sub.add_parser("import", help="check a workbook and import it")
        imp.add_argument("path")
        imp.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        check = sub.add_parser("check", help="check a workbook without importing it")
        check.add_argument("path")
        for p in (export, imp):
            p.add_argument(
                "--progress",
                action=argparse.BooleanOptionalAction,
                default=None,
                help="show a progress bar on standard error (default: on a terminal)",
            )

    def handle(self, *args, action: str, path: str, **options):
        if action == "export":
            self._export(path, options.get("progress"))
        elif action == "check":
            self._import(path, dry_run=True, progress=False)
        else:
            self._import(path, dry_run=options["dry_run"], progress=options.get("progress"))

    def _progress_file(self):
        return getattr(self.stderr, "_out", self.stderr)

    def _export(self, path: str, progress: bool | None) -> None:
        try:
            summary = catalogue_export(path, progress=progress, progress_file=self._progress_file())
        except OSError as exc:
            raise CommandError(
                _("无法写入 %(p)s（%(r)s）。") % {"p": path, "r": exc.strerror or exc}
            ) from None
        self.stdout.write(
            _("已导出 %(i)d 个事项、%(b)d 个一件事、%(t)d 个主题、%(l)d 个人生事件到 %(p)s。")
            % {
                "i": summary.items,
                "b": summary.bundles,
                "t": summary.themes,
                "l": summary.life_events,
                "p": path,
            }
        )

    def _import(self, path: str, *, dry_run: bool, progress: bool | None) -> None:
        if not Path(path).is_file():
            raise CommandError(_("找不到文件 %(p)s。") % {"p": path})
        try:
            report = catalogue_import(
                path, dry_run=dry_run, progress=progress, progress_file=self._progress_file()
            )
        except ImportInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                _("导入失败：工作簿有 %(n)d 处错误，没有导入任何数据。") % {"n": len(exc.problems)}
            ) from None
        if dry_run:
            self.stdout.write(_("校验通过：%(p)s 没有发现错误，未写入任何数据。") % {"p": path})
        else:
            self.stdout.write(_("导入完成。%(r)s") % {"r": report})
        for warning in report.warnings:
            self.stdout.write(_("提示：%(w)s") % {"w": warning})
