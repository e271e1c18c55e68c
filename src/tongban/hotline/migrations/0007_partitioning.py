from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hotline", "0006_personal_data")]

    operations = []
