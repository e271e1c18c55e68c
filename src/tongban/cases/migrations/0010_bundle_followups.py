from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_review_due")]

    operations = []
