from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_review_due")]

    operations = [
        # [W] 自助取件柜: delivery by pickup locker is a delivery method of its own
        migrations.AlterField(
            model_name="case",
            name="delivery_method",
            field=models.CharField(
                blank=True,
                choices=[
                    ("window", "窗口领取"),
                    ("mail", "邮寄送达"),
                    ("electronic", "电子送达"),
                    ("locker", "自助取件柜"),
                ],
                max_length=16,
                verbose_name="送达方式",
            ),
        ),
    ]
