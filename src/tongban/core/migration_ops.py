"""Migration operations shared by the apps' migrations."""

from django.db import migrations


class AddIndexConcurrently(migrations.AddIndex):
    """``AddIndex``, built with CREATE INDEX CONCURRENTLY on PostgreSQL (the table keeps taking
    writes while it is built; the migration needs ``atomic = False``); a plain AddIndex elsewhere."""

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
