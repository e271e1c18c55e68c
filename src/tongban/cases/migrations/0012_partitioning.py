# Monthly range partitions of the case event table on PostgreSQL (a no-op on SQLite);
# see tongban/core/partitioning.py and docs/deploy.md.
from django.db import migrations

from tongban.core.partitioning import partition_operation


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_personal_data")]

    operations = [partition_operation("cases_caseevent", "occurred_at")]
