"""`tongban keys create DEPT [--seal NAME]`, `tongban keys rotate DEPT [--seal NAME]`,
`tongban keys list`: the SM2 signing keys of issuing departments (docs/licences.md).
`tongban keys rotate [--batch N]` (no department), `keys status`, `keys reindex`, `keys generate`:
the personal-data keys (core/personal_data_cli.py, docs/personal-data.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tongban.core import personal_data_cli
from tongban.core.errors import DomainError
from tongban.core.models import Department
from tongban.licences import keystore, selectors
from tongban.licences.models import Seal
from tongban.licences.services import key_create, key_rotate, seal_create


class Command(BaseCommand):
    help = (
        "SM2 signing keys. `keys create DEPT [--seal NAME]` makes a department's first key "
        "(DEPT: the department code); `keys rotate DEPT` retires the active key (it keeps "
        "verifying) and makes a new one; `keys list` prints every key. Personal data: "
        "`keys rotate [--batch N]` without a department re-encrypts every value under the "
        "current TONGBAN_DATA_KEYS key; `keys status`, `keys reindex`, `keys generate`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("create", "create a department's key"), ("rotate", "rotate it")):
            p = sub.add_parser(name, help=text)
            p.add_argument(
                "department",
                nargs="?" if name == "rotate" else None,
                help="department code (rotate without one: the personal-data keys)",
            )
            p.add_argument("--seal", help="the seal's name (created with a drawn image if new)")
            if name == "rotate":
                p.add_argument("--batch", type=int, default=500, help="personal data: rows a batch")
        sub.add_parser("list", help="list every key, active and retired")
        personal_data_cli.add_subcommands(sub)

    def _department(self, code: str) -> Department:
        department = Department.objects.filter(code=code).first()
        if department is None:
            raise CommandError(f"no department with code {code!r}")
        return department

    def _seal(self, department: Department, name: str | None, *, create: bool) -> Seal | None:
        if not name:
            return None
        if create:
            return seal_create(department=department, name=name)
        seal = Seal.objects.filter(department=department, name=name, is_active=True).first()
        if seal is None:
            raise CommandError(f"{department.code} has no active seal named {name!r}")
        return seal

    def handle(self, *args, action: str, **options):
        if action in personal_data_cli.ACTIONS or (
            action == "rotate" and not options.get("department")
        ):
            batch = options.get("batch")
            personal_data_cli.handle(self, action, batch=500 if batch is None else batch)
            return
        if action == "list":
            for key in selectors.signing_keys():
                seal = key.seal.name if key.seal_id else "-"
                self.stdout.write(
                    f"{key.key_id}\t{key.department.code}\t{seal}\t{key.status}\t"
                    f"{key.created_at:%Y-%m-%d}\t{key.public_key}"
                )
            return
        department = self._department(options["department"])
        try:
            seal = self._seal(department, options.get("seal"), create=action == "create")
            if action == "create":
                key = key_create(department=department, seal=seal)
            else:
                key = key_rotate(department=department, seal=seal)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        source = keystore.keystore_source()
        self.stdout.write(f"{action}d {key.key_id} for {department.code}: {key.public_key}")
        if source == "development":
            self.stderr.write(
                "note: private key encrypted with the development secret in the data directory "
                "(set TONGBAN_LICENCE_KEY_SECRET in production)"
            )
