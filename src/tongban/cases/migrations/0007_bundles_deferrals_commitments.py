# Bundles (一件事), deferred materials (容缺受理) and notify-and-commit (告知承诺制), issue [B].

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_kpi_indexes'),
        ('catalog', '0002_material_holder'),
        ('core', '0004_staff_notices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='status',
            field=models.CharField(choices=[('draft', '草稿'), ('submitted', '待受理'), ('correction_requested', '待补正'), ('not_accepted', '不予受理'), ('in_review', '审查中'), ('suspended', '特别程序中'), ('approved', '准予许可'), ('denied', '不予许可'), ('issued', '已出证'), ('delivered', '已送达'), ('archived', '已归档'), ('withdrawn', '已撤回'), ('revoked', '已撤销')], db_index=True, default='draft', max_length=24, verbose_name='状态'),
        ),
        migrations.CreateModel(
            name='AcceptancePolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('supplement_days', models.PositiveSmallIntegerField(default=5, verbose_name='容缺补齐期限（工作日）')),
                ('deferral_blocks', models.CharField(choices=[('decision', '补齐前不作出准予决定'), ('delivery', '补齐前不送达办理结果')], default='decision', max_length=16, verbose_name='容缺材料未补齐时')),
                ('commitment_text', models.TextField(blank=True, verbose_name='告知承诺书文本')),
                ('commitment_version', models.PositiveIntegerField(default=1, verbose_name='承诺书版本')),
                ('post_check_days', models.PositiveSmallIntegerField(default=20, verbose_name='核查期限（工作日）')),
                ('bar_days', models.PositiveSmallIntegerField(default=365, verbose_name='虚假承诺后不得承诺的期限（日）')),
                ('item', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='acceptance_policy', to='catalog.serviceitem', verbose_name='事项')),
            ],
            options={
                'verbose_name': '容缺与告知承诺配置',
                'verbose_name_plural': '容缺与告知承诺配置',
            },
        ),
        migrations.CreateModel(
            name='BundleCase',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('bundle_no', models.CharField(max_length=32, unique=True, verbose_name='一件事编号')),
                ('channel', models.CharField(max_length=16, verbose_name='申报渠道')),
                ('answers', models.JSONField(blank=True, default=dict, verbose_name='情形回答')),
                ('form_data', models.JSONField(blank=True, default=dict, verbose_name='合并申请表')),
                ('status', models.CharField(choices=[('submitted', '待受理'), ('in_progress', '并联审批中'), ('delivered', '已统一出件'), ('withdrawn', '已撤回')], db_index=True, default='submitted', max_length=16, verbose_name='状态')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                ('materials_count', models.PositiveSmallIntegerField(default=0, verbose_name='材料数')),
                ('materials_without_bundle', models.PositiveSmallIntegerField(default=0, verbose_name='分别办理的材料数')),
                ('partial_confirmed', models.BooleanField(default=False, verbose_name='已选择继续办理已准予事项')),
                ('idempotency_key', models.CharField(blank=True, max_length=128, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='申请时间')),
                ('accepted_on', models.DateField(blank=True, null=True, verbose_name='受理日期')),
                ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='出件时间')),
                ('applicant', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bundle_cases', to='core.person')),
                ('bundle', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='catalog.bundle', verbose_name='一件事')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.enterprise')),
            ],
            options={
                'verbose_name': '一件事申请',
                'verbose_name_plural': '一件事申请',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='BundleEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('stream', models.CharField(max_length=64, verbose_name='事件流')),
                ('seq', models.PositiveIntegerField(verbose_name='序号')),
                ('occurred_at', models.DateTimeField(verbose_name='发生时间')),
                ('actor_label', models.CharField(blank=True, max_length=64, verbose_name='操作人名称')),
                ('action', models.CharField(max_length=48, verbose_name='动作')),
                ('from_state', models.CharField(blank=True, max_length=32, verbose_name='原状态')),
                ('to_state', models.CharField(blank=True, max_length=32, verbose_name='新状态')),
                ('reason', models.TextField(blank=True, verbose_name='原因')),
                ('payload', models.JSONField(blank=True, default=dict, verbose_name='数据')),
                ('prev_hash', models.CharField(max_length=64, verbose_name='前序摘要')),
                ('hash', models.CharField(max_length=64, verbose_name='摘要')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('bundle_case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='cases.bundlecase')),
            ],
            options={
                'verbose_name': '一件事事件',
                'verbose_name_plural': '一件事事件',
                'ordering': ['stream', 'seq'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='BundleMaterial',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=128, verbose_name='材料名称')),
                ('status', models.CharField(max_length=16, verbose_name='状态')),
                ('file', models.FileField(blank=True, upload_to='cases/%Y/%m/', verbose_name='文件')),
                ('original_name', models.CharField(blank=True, max_length=128)),
                ('sha256', models.CharField(blank=True, max_length=64)),
                ('used_by', models.PositiveSmallIntegerField(default=1, verbose_name='共享事项数')),
                ('bundle_case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shared_materials', to='cases.bundlecase')),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='BundleMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('bundle_case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='cases.bundlecase')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='bundle_member', to='cases.case')),
            ],
            options={
                'ordering': ['order', 'id'],
            },
        ),
        migrations.CreateModel(
            name='BundlePolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('partial_allowed', models.BooleanField(default=True, verbose_name='一项不予许可时可继续办理其余事项')),
                ('bundle', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='case_policy', to='catalog.bundle')),
            ],
            options={
                'verbose_name': '一件事办理配置',
                'verbose_name_plural': '一件事办理配置',
            },
        ),
        migrations.CreateModel(
            name='Commitment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(verbose_name='承诺书文本')),
                ('text_version', models.PositiveIntegerField(verbose_name='承诺书版本')),
                ('text_sha256', models.CharField(max_length=64, verbose_name='文本摘要')),
                ('channel', models.CharField(choices=[('web', '网上签署'), ('window', '窗口签署')], max_length=16, verbose_name='签署渠道')),
                ('signed_at', models.DateTimeField(verbose_name='签署时间')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='commitment', to='cases.case')),
                ('materials', models.ManyToManyField(related_name='+', to='catalog.material')),
                ('signed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '告知承诺书',
                'verbose_name_plural': '告知承诺书',
            },
        ),
        migrations.CreateModel(
            name='CommitmentBar',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('until', models.DateField(db_index=True, verbose_name='不得承诺至')),
                ('reason', models.CharField(max_length=256, verbose_name='原因')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cases.case')),
                ('enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='commitment_bars', to='core.enterprise')),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='commitment_bars', to='core.person')),
            ],
            options={
                'verbose_name': '虚假承诺记录',
                'verbose_name_plural': '虚假承诺记录',
            },
        ),
        migrations.CreateModel(
            name='Deferral',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due', models.DateField(db_index=True, verbose_name='补齐期限')),
                ('blocks', models.CharField(choices=[('decision', '补齐前不作出准予决定'), ('delivery', '补齐前不送达办理结果')], max_length=16, verbose_name='未补齐时')),
                ('supplied_at', models.DateTimeField(blank=True, null=True, verbose_name='补齐时间')),
                ('late', models.BooleanField(default=False, verbose_name='逾期补齐')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='受理时间')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='deferral', to='cases.case')),
                ('materials', models.ManyToManyField(related_name='+', to='catalog.material')),
            ],
            options={
                'verbose_name': '容缺受理',
                'verbose_name_plural': '容缺受理',
            },
        ),
        migrations.CreateModel(
            name='PostCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due', models.DateField(db_index=True, verbose_name='核查期限')),
                ('status', models.CharField(choices=[('pending', '待核查'), ('passed', '核查属实'), ('failed', '承诺不实')], db_index=True, default='pending', max_length=16, verbose_name='状态')),
                ('finding', models.TextField(blank=True, verbose_name='核查意见')),
                ('checked_at', models.DateTimeField(blank=True, null=True, verbose_name='核查时间')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='post_check', to='cases.case')),
                ('checked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('commitment', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='post_check', to='cases.commitment')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='post_checks', to='core.department')),
            ],
            options={
                'verbose_name': '事中事后核查',
                'verbose_name_plural': '事中事后核查',
                'ordering': ['due', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='bundlecase',
            constraint=models.UniqueConstraint(fields=('created_by', 'idempotency_key'), name='bundle_case_idempotency_key'),
        ),
        migrations.AddConstraint(
            model_name='bundleevent',
            constraint=models.UniqueConstraint(fields=('stream', 'seq'), name='bundle_event_stream_seq'),
        ),
        migrations.AddIndex(
            model_name='deferral',
            index=models.Index(fields=['supplied_at', 'due'], name='deferral_open_due'),
        ),
        migrations.AddIndex(
            model_name='postcheck',
            index=models.Index(fields=['department', 'status', 'due'], name='postcheck_queue'),
        ),
    ]
