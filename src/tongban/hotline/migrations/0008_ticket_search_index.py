from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hotline", "0007_partitioning")]

    operations = []
