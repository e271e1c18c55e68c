from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_personal_data")]

    operations = []
