from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_kpi_indexes")]

    operations = []
