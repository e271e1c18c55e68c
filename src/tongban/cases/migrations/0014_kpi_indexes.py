from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_form_data_encryption")]

    operations = []
