# The application form's ID numbers and phones encrypted at rest (docs/personal-data.md):
# Case.form_data and BundleCase.form_data become EncryptedJSONField, and the values of the
# existing rows are sealed (reverse: opened) on the raw column, batch by batch.
from django.db import migrations

from tongban.cases.application_form import personal_data_codes
from tongban.core.personal_data_json import (
    EncryptedJSONField,
    json_batches,
    json_write,
    open_values,
    seal_values,
)

FORMS = (
    # model, the column naming where its form spec lives, that model
    ("Case", "item_version_id", ("catalog", "ServiceItemVersion")),
    ("BundleCase", "bundle_id", ("catalog", "Bundle")),
)


def _rewrite(apps, schema_editor, *, forward: bool) -> None:
    connection = schema_editor.connection
    for model_name, spec_column, spec_model in FORMS:
        opts = apps.get_model("cases", model_name)._meta
        column = opts.get_field("form_data").column
        specs = apps.get_model(*spec_model).objects
        for rows in json_batches(
            connection, opts.db_table, opts.pk.column, column, extra=[spec_column], size=1000
        ):
            wanted = {r[3] for r in rows}
            fields = dict(specs.filter(pk__in=wanted).values_list("pk", "form_fields"))
            updates = []
            for pk, raw, value, spec_id in rows:
                if not isinstance(value, dict) or not value:
                    continue
                if forward:
                    new = seal_values(value, personal_data_codes(fields.get(spec_id)))
                else:
                    new = open_values(value)
                if new != value:
                    updates.append((pk, raw, new))
            json_write(connection, opts.db_table, opts.pk.column, column, updates)


def seal_forms(apps, schema_editor):
    _rewrite(apps, schema_editor, forward=True)


def open_forms(apps, schema_editor):
    _rewrite(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_partitioning")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="form_data",
            field=EncryptedJSONField(blank=True, default=dict, verbose_name="申请表"),
        ),
        migrations.AlterField(
            model_name="bundlecase",
            name="form_data",
            field=EncryptedJSONField(blank=True, default=dict, verbose_name="合并申请表"),
        ),
        migrations.RunPython(seal_forms, open_forms, elidable=False),
    ]
