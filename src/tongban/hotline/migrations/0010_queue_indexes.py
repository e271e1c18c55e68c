# The ticket queue (hotline.selectors.ticket_queue) answered from indexes at tens of millions of
# tickets:
# - ticket_dept_status_due: a unit's tabs (待签收, 办理中, 退单审核中, 已超期) counted by an
#   index-only scan and listed in due order from the index (the overdue count read the heap row
#   of every open ticket of the unit);
# - ticket_status_due_title: the centre's tabs counted with a word filter from the index alone
#   (the titles included: no heap row read per ticket tested);
# - ticket_escalated: 已提级督办, a few tickets among the open ones (the count read every open
#   ticket's heap row);
# - ticket_open_due: 已超期 of the centre and of supervisors, listed by due from the index (the
#   page sorted every overdue ticket first: 49 ms at 2,626 overdue, 0.7 ms after).
# Plans before and after: docs/performance.md, "Data scale".
#
# On PostgreSQL the indexes are built CONCURRENTLY (the table keeps taking tickets while it is
# indexed: hence atomic = False); elsewhere as a plain AddIndex.
from django.db import migrations, models

from tongban.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("hotline", "0009_kpi_indexes")]

    operations = [
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["department", "status", "handle_due"], name="ticket_dept_status_due"
            ),
        ),
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["status", "handle_due"], include=["title"], name="ticket_status_due_title"
            ),
        ),
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["status"], condition=models.Q(escalated=True), name="ticket_escalated"
            ),
        ),
        AddIndexConcurrently(
            model_name="ticket",
            index=models.Index(
                fields=["handle_due"],
                condition=models.Q(status__in=["dispatched", "handling", "return_requested"]),
                name="ticket_open_due",
            ),
        ),
    ]
