from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime

from tongban.core.errors import DomainError
from tongban.hotline.open311.keys import open311_key_create, open311_key_revoke, open311_keys


class Command(BaseCommand):
    help = (
        "Open311 api_keys for client applications. `open311 key create NAME` prints a new key "
        "(only the key, on stdout; it is shown once); `open311 key list`; "
        "`open311 key revoke PREFIX`."
    )

    def add_arguments(self, parser):
        groups = parser.add_subparsers(dest="group", required=True)
        key = groups.add_parser("key", help="api_keys of client applications")
        actions = key.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a key and print it")
        create.add_argument("name", help="the client application's name")
        actions.add_parser("list", help="list keys (prefix, name, created, last used, state)")
        revoke = actions.add_parser("revoke", help="revoke a key by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args, group: str, action: str, **options):
        try:
            if action == "create":
                key, plain = open311_key_create(name=options["name"])
                self.stdout.write(plain)
                self.stderr.write(
                    f"Open311 key {key.prefix} for {key.name!r}; it is shown only now. "
                    "Clients send it as the api_key parameter of POST requests.json."
                )
            elif action == "revoke":
                key = open311_key_revoke(prefix=options["prefix"])
                self.stdout.write(f"revoked {key.prefix} ({key.name})")
            else:
                for key in open311_keys():
                    used = (
                        f"{localtime(key.last_used_at):%Y-%m-%d %H:%M}"
                        if key.last_used_at
                        else "never"
                    )
                    state = (
                        f"revoked {localtime(key.revoked_at):%Y-%m-%d}"
                        if key.revoked_at
                        else "active"
                    )
                    self.stdout.write(
                        f"{key.prefix}\t{key.name}\tcreated {localtime(key.created_at):%Y-%m-%d}"
                        f"\tlast used {used}\t{state}"
                    )
        except DomainError as exc:
            raise CommandError(exc.message) from None
