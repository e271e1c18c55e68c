# Approval operations on review steps (会签/或签/票签/依次审批, 转办/委派/加签/退回/催办), issue [B].

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_bundles_deferrals_commitments'),
    ]

    operations = []
