"""Migration operations the stock ones do not cover."""

from django.db import migrations


class AddBlankTextField(migrations.AddField):
    """Add a blank-by-default text column without rebuilding the table on SQLite.

    SQLite's schema editor rebuilds a table to add a NOT NULL column, and the rebuild drops the
    stats triggers on it and fails while other tables' triggers name it (see orgs 0004). A blank
    text column can be added in place: ``ADD COLUMN … NOT NULL DEFAULT ''`` (the default stays
    in SQLite's schema, harmless: Django always writes the value). PostgreSQL alters in place anyway.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        quote = schema_editor.quote_name
        column = f"{quote(field.column)} {field.db_type(schema_editor.connection)} NOT NULL DEFAULT ''"
        schema_editor.execute(f"ALTER TABLE {quote(model._meta.db_table)} ADD COLUMN {column}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        quote = schema_editor.quote_name
        schema_editor.execute(f"ALTER TABLE {quote(model._meta.db_table)} DROP COLUMN {quote(field.column)}")
