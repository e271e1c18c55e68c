"""The ``tongban`` command: Django's manage.py with the project's settings and a few aliases."""

from __future__ import annotations

import os
import sys

ALIASES = {"verify-chain": "verify_chain"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.config.settings.local")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    args[0] = "tongban"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
