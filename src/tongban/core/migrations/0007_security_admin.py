from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0006_personal_data")]

    operations = []
