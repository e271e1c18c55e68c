"""`tongban audit purge` (daily, TONGBAN_SCHEDULE "audit-purge"): delete security events and
personal-data access records older than TONGBAN_AUDIT_RETENTION_DAYS (at least 180 days), and
nothing younger. `tongban audit stats`: how many records each log holds and the oldest."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Min

from tongban.core.models import SecurityEvent
from tongban.core.security import audit_purge, personal_data_access_model, retention_days


class Command(BaseCommand):
    help = (
        "The audit logs. `audit purge` deletes security events and personal-data access "
        "records older than the retention period (TONGBAN_AUDIT_RETENTION_DAYS, at least 180 "
        "days); `audit stats` counts the records and shows the oldest."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("purge", help="delete audit records older than the retention period")
        sub.add_parser("stats", help="count the audit records")

    def handle(self, *args, action: str, **options):
        if action == "purge":
            counts = audit_purge()
            shown = ", ".join(f"{name} {n}" for name, n in counts.items())
            self.stdout.write(f"audit purge: retention {retention_days()} days; deleted {shown}")
            return
        models = [("security_events", SecurityEvent)]
        access = personal_data_access_model()
        if access is not None:
            models.append(("personal_data_access", access))
        for name, model in models:
            oldest = model.objects.aggregate(oldest=Min("at"))["oldest"]
            self.stdout.write(f"{name}: {model.objects.count()} records, oldest {oldest or '-'}")
