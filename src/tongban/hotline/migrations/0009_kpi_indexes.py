# The supervision KPI windows (supervision.kpis.SOURCES) answered from indexes: a month's tickets
# replied, closed and created, each counted from its covering index alone (an index-only scan:
# the seeded data, like a hotline's reopened and long-running tickets, puts a month's tickets on
# most pages of the table), assignments dispatched and callbacks done in the month. Without them
# each monthly KPI set read the whole ticket and assignment tables (Seq Scan) and the whole
# (status, done_at) index of callbacks. Plans before and after: docs/performance.md,
# "Data scale".
#
# On PostgreSQL the indexes are built CONCURRENTLY (the tables keep taking tickets while a
# large table is indexed: hence atomic = False); elsewhere as a plain AddIndex.
from django.db import migrations, models

from tongban.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("hotline", "0008_ticket_search_index")]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["replied_at"],
                include=["handle_due", "department", "street"],
                name="ticket_replied_at",
            ),
        ),
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["closed_at"],
                include=["reopen_count", "dispatch_count", "department", "street"],
                name="ticket_closed_at",
            ),
        ),
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["created_at"],
                include=["merged_into", "department", "street"],
                name="ticket_created_kpi",
            ),
        ),
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["id"], include=["department", "street"], name="ticket_kpi_groups"
            ),
        ),
        AddIndexConcurrently(
            model_name="ticketassignment",
            index=models.Index(
                fields=["dispatched_at"],
                include=["department", "status", "signed_at", "sign_due", "ticket"],
                name="assignment_dispatched_at",
            ),
        ),
        AddIndexConcurrently(
            model_name="callback",
            index=models.Index(
                fields=["done_at"], include=["ticket", "satisfaction"], name="callback_done_at"
            ),
        ),
    ]
