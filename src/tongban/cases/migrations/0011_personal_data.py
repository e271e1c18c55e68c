from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_bundle_followups"), ("core", "0006_personal_data")]

    operations = []
