"""Indexes for the lists' search (`certeef.lists.words_matching`), on PostgreSQL only.

A list searches a word fragment anywhere in a field, case ignored: Django's `icontains`, which
PostgreSQL runs as `UPPER("column"::text) LIKE UPPER('%word%')`. No B-tree index serves a
pattern that starts with a wildcard, so without these every search reads all the organisation's
rows (248 ms at 400 000 learners). A trigram index (pg_trgm, GIN) on that same `UPPER(column)`
expression does: the planner uses an expression index only when the query's expression is the
indexed one. Trigrams need three characters: a one- or two-letter word finds no trigram to look
up, and the planner reads the table as before.

SQLite has no such index: there the search stays a scan. So the operation below does nothing
outside PostgreSQL, and the indexes are not in the models' state (a model's `Meta.indexes`
would be built on SQLite too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.migrations.operations.base import Operation

if TYPE_CHECKING:
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from django.db.migrations.state import ProjectState


def trigram_index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"


class AddTrigramSearchIndexes(Operation):
    """On PostgreSQL, one trigram index per searched field of `model_name`, and the pg_trgm
    extension they need; reversed by dropping the indexes (the extension stays: it may serve
    other indexes, and it holds no data)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str, fields: list[str]) -> None:
        self.model_name = model_name
        self.fields = fields

    def deconstruct(self) -> tuple[str, list[object], dict[str, object]]:
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "fields": self.fields},
        )

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass  # Not in the models' state: see the module's docstring.

    def _columns(self, app_label: str, state: ProjectState) -> tuple[str, list[str]]:
        model = state.apps.get_model(app_label, self.model_name)
        columns = [model._meta.get_field(name).column for name in self.fields]
        return model._meta.db_table, columns

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table, columns = self._columns(app_label, to_state)
        quote = schema_editor.quote_name
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f"CREATE INDEX {quote(trigram_index_name(table, column))} ON {quote(table)}"
                f" USING gin (UPPER({quote(column)}) gin_trgm_ops)"
            )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        table, columns = self._columns(app_label, from_state)
        for column in columns:
            name = schema_editor.quote_name(trigram_index_name(table, column))
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    def describe(self) -> str:
        fields = ", ".join(self.fields)
        return f"Trigram search indexes on {self.model_name} ({fields}), on PostgreSQL only"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_search_trigrams"
