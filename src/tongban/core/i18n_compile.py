"""Compile the project's .po translations to .mo without GNU gettext (``make`` runs this)."""

from __future__ import annotations

from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def compile_all(root: Path = PACKAGE_DIR) -> int:
    count = 0
    for po_path in root.rglob("locale/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        count += 1
    return count


if __name__ == "__main__":
    compile_all()
