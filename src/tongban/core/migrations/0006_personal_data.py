"""Personal data at rest: ID numbers and phone numbers encrypted with a blind index
(core/crypto.py, docs/personal-data.md), and the access log of unmasked views."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tongban.core.crypto
import tongban.core.identifiers
from tongban.core.personal_data_migration import encrypt_step


def _index(source, kind, label, **kwargs):
    return tongban.core.crypto.BlindIndexField(
        kind=kind, source=source, verbose_name=label, **kwargs
    )


def _encrypted(label, kind, index, max_length, validator, **kwargs):
    return tongban.core.crypto.EncryptedCharField(
        index_field=index,
        kind=kind,
        max_length=max_length,
        validators=[tongban.core.identifiers.FieldValidator(validator)],
        verbose_name=label,
        **kwargs,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_scheduled_runs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # 1. the index columns (the ID number's is made unique once it is filled)
        migrations.AddField(
            model_name="person",
            name="id_number_index",
            field=_index("id_number", "id_number", "身份证号码索引"),
        ),
        migrations.AddField(
            model_name="person",
            name="phone_index",
            field=_index("phone", "phone", "手机号码索引", db_index=True),
        ),
        migrations.AddField(
            model_name="enterprise",
            name="phone_index",
            field=_index("phone", "phone", "联系电话索引", db_index=True),
        ),
        # 2. the value columns widen to hold the ciphertext
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=_encrypted("身份证号码", "id_number", "id_number_index", 18, "id_number"),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=_encrypted("手机号码", "phone", "phone_index", 20, "phone", blank=True),
        ),
        migrations.AlterField(
            model_name="enterprise",
            name="phone",
            field=_encrypted("联系电话", "phone", "phone_index", 20, "phone", blank=True),
        ),
        # 3. encrypt the existing rows and fill the indexes (reversible: decrypts)
        encrypt_step("core", "Person", "id_number", index="id_number_index", kind="id_number"),
        encrypt_step("core", "Person", "phone", index="phone_index", kind="phone"),
        encrypt_step("core", "Enterprise", "phone", index="phone_index", kind="phone"),
        migrations.AlterField(
            model_name="person",
            name="id_number_index",
            field=_index("id_number", "id_number", "身份证号码索引", unique=True),
        ),
        # 4. the access log of unmasked views
        migrations.CreateModel(
            name="PersonalDataAccess",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(db_index=True, verbose_name="访问时间")),
                ("actor_label", models.CharField(max_length=150, verbose_name="访问人名称")),
                (
                    "subject_kind",
                    models.CharField(
                        choices=[
                            ("person", "自然人"),
                            ("enterprise", "法人/企业"),
                            ("ticket", "12345 工单"),
                            ("licence", "电子证照"),
                        ],
                        max_length=16,
                        verbose_name="对象类型",
                    ),
                ),
                (
                    "subject_ref",
                    models.CharField(db_index=True, max_length=64, verbose_name="对象编号"),
                ),
                (
                    "subject_label",
                    models.CharField(blank=True, max_length=128, verbose_name="对象（脱敏）"),
                ),
                ("fields", models.JSONField(default=list, verbose_name="查看字段")),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("case_handling", "办件受理、审查"),
                            ("identity_check", "窗口核验身份"),
                            ("contact", "联系申请人或来电人、回访"),
                            ("delivery", "证照送达、寄递"),
                            ("supervision", "监督检查、投诉核查"),
                            ("legal_request", "依法协查"),
                            ("other", "其他（须写明）"),
                        ],
                        max_length=24,
                        verbose_name="查看事由",
                    ),
                ),
                ("reason", models.CharField(max_length=200, verbose_name="说明")),
                (
                    "ip",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="IP 地址"),
                ),
                ("prev_hash", models.CharField(max_length=64, verbose_name="前序摘要")),
                ("hash", models.CharField(max_length=64, unique=True, verbose_name="摘要")),
                (
                    "actor",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="访问人",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.person",
                        verbose_name="当事人",
                    ),
                ),
            ],
            options={
                "verbose_name": "个人信息访问记录",
                "verbose_name_plural": "个人信息访问记录",
                "ordering": ["-at", "-id"],
                "indexes": [models.Index(fields=["actor", "at"], name="pd_access_actor_at")],
            },
        ),
    ]
