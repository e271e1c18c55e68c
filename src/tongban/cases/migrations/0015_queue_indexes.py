# 我的任务 at data scale (cases.queue): the cases under review or in a special procedure, by
# promised due date, as a small partial index that holds the case id. A reviewer's tasks (their
# claimed review tasks and pending signatures) are joined to it without reading the case rows
# (an index-only scan and a hash join instead of one primary-key probe and heap read per task),
# for the due-group counts and for the page. Plans before and after: docs/performance.md,
# "Data scale".
#
# On PostgreSQL the index is built CONCURRENTLY (cases keep being accepted and decided while
# it is built: hence atomic = False); elsewhere as a plain AddIndex.
from django.db import migrations, models

from tongban.core.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0014_kpi_indexes")]

    operations = [
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(status__in=["in_review", "suspended"]),
                fields=["promised_due", "id"],
                name="case_queue_mine_promised",
            ),
        ),
    ]
