"""Callers' phone numbers encrypted at rest with a blind index (docs/personal-data.md)."""

from django.db import migrations

import tongban.core.crypto
from tongban.core.personal_data_migration import encrypt_step


class Migration(migrations.Migration):
    dependencies = [("hotline", "0005_coordination_followups"), ("core", "0006_personal_data")]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="caller_phone_index",
            field=tongban.core.crypto.BlindIndexField(
                db_index=True, kind="phone", source="caller_phone", verbose_name="联系电话索引"
            ),
        ),
        migrations.AddField(
            model_name="missedcall",
            name="phone_index",
            field=tongban.core.crypto.BlindIndexField(
                db_index=True, kind="phone", source="phone", verbose_name="来电号码索引"
            ),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="caller_phone",
            field=tongban.core.crypto.EncryptedCharField(
                blank=True,
                index_field="caller_phone_index",
                kind="phone",
                max_length=20,
                verbose_name="联系电话",
            ),
        ),
        migrations.AlterField(
            model_name="missedcall",
            name="phone",
            field=tongban.core.crypto.EncryptedCharField(
                index_field="phone_index", kind="phone", max_length=20, verbose_name="来电号码"
            ),
        ),
        encrypt_step("hotline", "Ticket", "caller_phone", index="caller_phone_index", kind="phone"),
        encrypt_step("hotline", "MissedCall", "phone", index="phone_index", kind="phone"),
    ]
