from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("licences", "0001_initial"), ("core", "0006_personal_data")]

    operations = []
