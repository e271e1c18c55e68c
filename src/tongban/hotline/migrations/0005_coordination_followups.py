from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hotline", "0004_joint_merging")]

    operations = []
