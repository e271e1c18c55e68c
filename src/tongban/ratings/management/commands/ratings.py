"""`tongban ratings invite` (send SMS rating links for newly concluded cases and tickets),
`tongban ratings auto-default` (the optional regional default rating, off unless
TONGBAN_RATING_DEFAULT_DAYS is set), `tongban ratings device create WINDOW --department CODE
[--code CODE]` (register a window device and print its pairing URL and token, shown once)."""

from __future__ import annotations

import secrets

from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import DomainError
from tongban.core.models import Department
from tongban.ratings import services


class Command(BaseCommand):
    help = (
        "Ratings (好差评). `ratings invite` sends signed, single-use, expiring SMS rating links "
        "for newly concluded cases and tickets (run it often; a second run sends nothing new); "
        "`ratings auto-default` records 基本满意 for services left unrated for "
        "TONGBAN_RATING_DEFAULT_DAYS natural days (off by default); `ratings device create "
        "WINDOW --department CODE` registers a window rating device and prints its pairing URL."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("invite", help="send SMS rating links")
        sub.add_parser("auto-default", help="record the default rating where the rule is on")
        device = sub.add_parser("device", help="window rating devices")
        device_sub = device.add_subparsers(dest="device_action", required=True)
        create = device_sub.add_parser("create", help="register a device to a window")
        create.add_argument("window", help="the window's name, e.g. 3号窗口")
        create.add_argument("--department", required=True, help="the department's code")
        create.add_argument("--code", help="the device's code (default: generated)")

    def handle(self, *args, action: str, **options):
        if action == "invite":
            sent = services.invitations_send()
            self.stdout.write(f"ratings invite: {sent['case']} cases, {sent['ticket']} tickets")
        elif action == "auto-default":
            done = services.ratings_default_apply()
            if not done["enabled"]:
                self.stdout.write(
                    "ratings auto-default: off (set TONGBAN_RATING_DEFAULT_DAYS to turn it on)"
                )
            else:
                self.stdout.write(
                    f"ratings auto-default: {done['case']} cases, {done['ticket']} tickets"
                )
        else:
            department = Department.objects.filter(code=options["department"]).first()
            if department is None:
                raise CommandError(
                    f"--department: no department with code {options['department']!r}"
                )
            code = options.get("code") or f"D{secrets.token_hex(3).upper()}"
            try:
                device, token = services.device_register(
                    code=code, department=department, window=options["window"]
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"device: {device.code} ({department.code} · {device.window})")
            self.stdout.write(f"token: {token}")
            self.stdout.write(f"pairing URL: {services.pairing_url(token)}")
