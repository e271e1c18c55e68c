# 我的任务 at data scale (cases.queue): the cases under review or in a special procedure, by
# promised due date, as a small partial index that holds the case id. A reviewer's tasks (their
# claimed review tasks and pending signatures) are joined to it without reading the case rows
# (an index-only scan and a hash join instead of one primary-key probe and heap read per task),
# for the due-group counts and for the page. Plans before and after: docs/performance.md,
# "Data scale".
#
# On PostgreSQL the index is built CONCURRENTLY (cases keep being accepted and decided while
# it is built: hence atomic = False); elsewhere as a plain AddIndex.
from django.db import migrations, models


class AddIndexConcurrently(migrations.AddIndex):
    """``AddIndex``, built with CREATE INDEX CONCURRENTLY on PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0014_kpi_indexes")]

    operations = [
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(status__in=["in_review", "suspended"]),
                fields=["promised_due", "id"],
                name="case_queue_mine_promised",
            ),
        ),
    ]
