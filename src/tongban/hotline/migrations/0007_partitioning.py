# Monthly range partitions of the ticket event table on PostgreSQL (a no-op on SQLite);
# see tongban/core/partitioning.py and docs/deploy.md.
from django.db import migrations

from tongban.core.partitioning import partition_operation


class Migration(migrations.Migration):
    dependencies = [("hotline", "0006_personal_data")]

    operations = [partition_operation("hotline_ticketevent", "occurred_at")]
