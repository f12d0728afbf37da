"""Running an import: every row validated, then all saved or nothing.

`run_import` goes through the rows in one transaction, inside one `changing_sessions` block (each
service call joins it, so every session touched is locked once and its summaries refreshed once,
at the end). Each row runs in a savepoint: a row refused half-way leaves nothing behind, and the
rows after it are still checked, so that the user sees every error at once. At the end the
transaction is committed only when `save` is asked and no row was refused; otherwise it is rolled
back — a preview (or `--dry-run`) is the same import, undone, so its counts are exactly what the
import will do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from imports.columns import CellError, Column, RowErrors
from imports.importer import CREATED, UNCHANGED, UPDATED, Importer
from imports.registry import KINDS
from training.changes import changing_sessions

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from django.contrib.auth.models import User

    from certeef.models import Organization
    from imports.files import Table


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class Result:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    saved: bool = False
    # What the import will do besides the counted rows ("the course … will be created").
    notices: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def lines_with_errors(self) -> int:
        return len({error.line for error in self.errors})


class MappingError(Exception):
    """The mapping lacks a required column (or names a column twice)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Undo(Exception):
    pass


def importer_class(kind: str) -> type[Importer]:
    return KINDS[kind]


def check_mapping(columns: Iterable[Column], mapping: dict[str, int], headers: list[str]) -> None:
    missing = [
        str(column.label) for column in columns if column.required and column.key not in mapping
    ]
    if missing:
        raise MappingError(
            _("These columns are required: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    used: dict[int, str] = {}
    for key, index in mapping.items():
        if index in used:
            raise MappingError(
                _("The file's column “%(header)s” is mapped twice.") % {"header": headers[index]}
            )
        used[index] = key


def run_import(
    *,
    organization: Organization,
    kind: str,
    table: Table,
    mapping: dict[str, int],
    save: bool,
    user: User | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Result:
    importer_cls = importer_class(kind)
    check_mapping(importer_cls.column_list(), mapping, table.headers)
    columns = {column.key: column for column in importer_cls.column_list()}

    def column_name(key: str) -> str:
        if key in mapping:
            return table.headers[mapping[key]] or str(columns[key].label)
        return str(columns[key].label) if key in columns else ""

    result = Result()

    def refuse(line: int, errors: list[tuple[str, str]]) -> None:
        result.errors.extend(
            RowError(line, column_name(key), str(message)) for key, message in errors
        )

    try:
        with transaction.atomic(), changing_sessions(()):
            importer = importer_cls(organization, user)
            seen: dict[tuple, int] = {}
            for count, row in enumerate(table.rows, start=1):
                if progress is not None and count % 1000 == 0:
                    progress(count, len(table.rows))
                values = {key: row.cells[index] for key, index in mapping.items()}
                errors = [
                    (
                        key,
                        _(
                            "This cell holds a formula (%(formula)s), not a value: enter its "
                            "result, or open and save the file in your spreadsheet."
                        )
                        % {"formula": value[:40]},
                    )
                    for key, value in values.items()
                    if value.startswith("=")
                ]
                errors += [
                    (key, _("This field is required."))
                    for key, column in columns.items()
                    if column.required and not values.get(key) and key in mapping
                ]
                if errors:
                    refuse(row.line, errors)
                    continue
                try:
                    key = importer.key(values)
                    if key in seen:
                        raise CellError(
                            _key_column(importer_cls, key),
                            _("Line %(line)s has the same %(what)s: a file names each record once.")
                            % {
                                "line": seen[key],
                                "what": column_name(_key_column(importer_cls, key)),
                            },
                        )
                    seen[key] = row.line
                    importer.notices = []
                    if importer.row_savepoint:
                        with transaction.atomic():
                            outcome = importer.apply(values)
                    else:
                        outcome = importer.apply(values)
                    result.notices.extend(
                        RowError(row.line, "", str(notice)) for notice in importer.notices
                    )
                except CellError as error:
                    refuse(row.line, [(error.column, error.message)])
                    continue
                except RowErrors as error:
                    refuse(row.line, error.errors)
                    continue
                except ValidationError as error:
                    refuse(
                        row.line,
                        RowErrors.from_validation_error(
                            error, importer_cls.fields if hasattr(importer_cls, "fields") else {}
                        ).errors,
                    )
                    continue
                if outcome == CREATED:
                    result.created += 1
                elif outcome == UPDATED:
                    result.updated += 1
                else:
                    assert outcome == UNCHANGED
                    result.unchanged += 1
            if not result.errors:
                importer.finish()
            if result.errors or not save:
                raise _Undo
    except _Undo:
        pass
    else:
        result.saved = True
    return result


def _key_column(importer_cls: type[Importer], key: tuple) -> str:
    """The column a key comes from, to name it in a duplicate's error."""
    return getattr(importer_cls, "key_columns", {}).get(key[0], key[0])
