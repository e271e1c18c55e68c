# Bundles (一件事), deferred materials (容缺受理) and notify-and-commit (告知承诺制), issue [B].

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_kpi_indexes'),
    ]

    operations = []
