# A due date on review tasks (the human review of an automatic decision), issue [R].

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_approval_operations'),
    ]

    operations = [
        migrations.AddField(
            model_name='reviewtask',
            name='due_on',
            field=models.DateField(blank=True, db_index=True, null=True, verbose_name='办理截止日期'),
        ),
    ]
