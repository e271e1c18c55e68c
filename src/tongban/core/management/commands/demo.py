from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import DomainError


def _demo_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("tongban."):
            continue
        try:
            yield import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise


class Command(BaseCommand):
    help = "Demo district: `demo load` creates it (idempotent); `demo users` lists the accounts."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "users"])

    def handle(self, *args, action: str, **options):
        if action == "load":
            try:
                for module in _demo_modules():
                    module.load(self.stdout.write)
            except DomainError as exc:  # e.g. TONGBAN_DEMO_PASSWORD too weak for the validators
                raise CommandError(f"demo load refused: {exc.message}") from None
            self.stdout.write(f"demo password for every account: {settings.TONGBAN_DEMO_PASSWORD}")
        else:
            for module in _demo_modules():
                for role, username in getattr(module, "users", list)():
                    self.stdout.write(f"{role}\t{username}")
