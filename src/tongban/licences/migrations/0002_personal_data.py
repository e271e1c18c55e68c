"""Holders' ID numbers encrypted at rest with a blind index (docs/personal-data.md)."""

from django.db import migrations

import tongban.core.crypto
from tongban.core.personal_data_migration import encrypt_step


class Migration(migrations.Migration):
    dependencies = [("licences", "0001_initial"), ("core", "0006_personal_data")]

    operations = [
        migrations.AddField(
            model_name="licence",
            name="holder_id_no_index",
            field=tongban.core.crypto.BlindIndexField(
                db_index=True,
                kind="id_number",
                source="holder_id_no",
                verbose_name="持证主体证件号码索引",
            ),
        ),
        migrations.AlterField(
            model_name="licence",
            name="holder_id_no",
            field=tongban.core.crypto.EncryptedCharField(
                index_field="holder_id_no_index",
                kind="id_number",
                max_length=32,
                verbose_name="持证主体证件号码",
            ),
        ),
        encrypt_step(
            "licences", "Licence", "holder_id_no", index="holder_id_no_index", kind="id_number"
        ),
    ]
