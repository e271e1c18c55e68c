from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import DomainError
from tongban.core.models import ApiToken, User
from tongban.core.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = (
        "Personal API tokens. `token create USERNAME [--days N] [--name TEXT]` prints a new "
        "token once (send it as `Authorization: Bearer …`); `token revoke PREFIX`; "
        "`token list USERNAME`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--days", type=int, default=None)
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list")
        listing.add_argument("username")

    def handle(self, *args, action: str, **options):
        try:
            if action == "create":
                user = self._user(options["username"])
                token, plain = api_token_create(
                    user=user, name=options["name"], days=options["days"]
                )
                self.stdout.write(plain)
                self.stderr.write(
                    f"token {token.prefix} for {user.username}, expires "
                    f"{token.expires_at:%Y-%m-%d %H:%M %Z}; it is shown only now"
                )
            elif action == "revoke":
                token = api_token_revoke(prefix=options["prefix"])
                self.stdout.write(f"revoked {token.prefix}")
            else:
                user = self._user(options["username"])
                for t in ApiToken.objects.filter(user=user):
                    state = "revoked" if t.revoked_at else f"expires {t.expires_at:%Y-%m-%d}"
                    self.stdout.write(f"{t.prefix}\t{t.name}\t{state}")
        except DomainError as exc:
            raise CommandError(exc.message) from None

    @staticmethod
    def _user(username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        return user
