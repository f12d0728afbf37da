from __future__ import annotations

from imports.columns import auto_map
from imports.engine import importer_class, run_import
from imports.files import read_table


def import_text(organization, kind, text, *, save=True, encoding="utf-8", filename="f.csv"):
    """Run an import of a CSV given as text (or of bytes), auto-mapped as the command does."""
    data = text.encode(encoding) if isinstance(text, str) else text
    table = read_table(data, filename)
    mapping = auto_map(importer_class(kind).column_list(), table.headers)
    return run_import(organization=organization, kind=kind, table=table, mapping=mapping, save=save)


def errors_of(result):
    return [(error.line, error.column, error.message) for error in result.errors]
