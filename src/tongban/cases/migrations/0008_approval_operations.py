# Approval operations on review steps (会签/或签/票签/依次审批, 转办/委派/加签/退回/催办), issue [B].

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_bundles_deferrals_commitments'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='reviewtask',
            name='delegated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='委派人'),
        ),
        migrations.AddField(
            model_name='reviewtask',
            name='mode',
            field=models.CharField(choices=[('single', '一人办理'), ('all', '会签'), ('any', '或签'), ('vote', '票签'), ('sequence', '依次审批')], default='single', max_length=16, verbose_name='办理方式'),
        ),
        migrations.AddField(
            model_name='reviewtask',
            name='outcome',
            field=models.CharField(blank=True, max_length=16, verbose_name='表决结果'),
        ),
        migrations.AddField(
            model_name='reviewtask',
            name='quorum',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='票签通过票数'),
        ),
        migrations.CreateModel(
            name='StepSigner',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0, verbose_name='顺序')),
                ('status', models.CharField(choices=[('pending', '待签署'), ('signed', '已签署'), ('cancelled', '已取消')], default='pending', max_length=16, verbose_name='状态')),
                ('vote', models.CharField(blank=True, choices=[('agree', '同意'), ('disagree', '不同意')], max_length=16, verbose_name='表决')),
                ('opinion', models.TextField(blank=True, verbose_name='意见')),
                ('signed_at', models.DateTimeField(blank=True, null=True, verbose_name='签署时间')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('added_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='加签人')),
                ('delegated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='委派人')),
                ('task', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='signers', to='cases.reviewtask')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='step_signatures', to=settings.AUTH_USER_MODEL)),
                ('waits_for', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cases.stepsigner', verbose_name='须在其后签署')),
            ],
            options={
                'verbose_name': '环节签署人',
                'verbose_name_plural': '环节签署人',
                'ordering': ['position', 'id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'cancelled'), _negated=True), fields=('task', 'user'), name='step_signer_once')],
            },
        ),
    ]
