from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hotline", "0009_kpi_indexes")]

    operations = []
