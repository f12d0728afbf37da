"""Reading the files people have: CSV from French Excel or from elsewhere, and XLSX.

`read_table(data, filename, sheet=None)` returns the header and the data rows as text, each row
with its line number in the file (the header's line, usually 1, then each row's: a blank line
keeps its number, so that the numbers are the ones the user sees in their spreadsheet). Anything
that keeps the file from being read raises `FileError` with a message for the user.

- CSV: the encoding is a byte-order mark's, else UTF-8 when the bytes are valid UTF-8, else
  Windows-1252 (what French Excel writes); the delimiter is the one of `;`, `,`, tab and `|` that
  splits the header into the most columns. Python's `csv` module reads the quoting.
- XLSX: openpyxl in read-only mode (rows streamed, not the whole workbook in memory), values only
  (`data_only`: a formula is read as the value Excel computed). A formula whose value was never
  computed (a file written by a program, never opened in a spreadsheet) is kept as its text
  `=…`, which the import then refuses in its cell. Merged cells give their value to every cell
  they cover.
- Trailing empty columns and blank lines are ignored; a row shorter than the header is padded.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

# openpyxl's own parser (defusedxml's when installed), as for the rest of the sheet.
from openpyxl.xml.functions import iterparse

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
DELIMITERS = (";", ",", "\t", "|")
# Rows read to choose the delimiter.
SNIFF_LINES = 50

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FileError(Exception):
    """The file cannot be read; the message says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    line: int
    cells: list[str]


@dataclass
class Table:
    headers: list[str]
    rows: list[Row]
    header_line: int = 1
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    # What was detected, for the preview: "CSV ; Windows-1252", "XLSX".
    description: str = ""


def read_table(data: bytes, filename: str = "", sheet: str | None = None) -> Table:
    if not data:
        raise FileError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileError(
            _("The file is larger than %(limit)s MB: split it into smaller files.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(
            _("This is an old Excel file (.xls): save it as .xlsx or CSV, then import that.")
        )
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileError(_("This file is not a valid XLSX file."))
    if sheet:
        raise FileError(_("A sheet can only be chosen in an XLSX file."))
    return _read_csv(data)


# ---- CSV ----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError as error:
            raise _encoding_error() from error
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise _encoding_error() from error
    if b"\x00" in data[:65536]:
        raise _not_a_table_error()
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        raise _encoding_error() from error


def _encoding_error() -> FileError:
    return FileError(
        _(
            "The file's encoding could not be detected (it is neither UTF-8 nor Windows-1252): "
            "save it from your spreadsheet as “CSV UTF-8” or as XLSX."
        )
    )


def _not_a_table_error() -> FileError:
    return FileError(_("This file is neither a CSV file nor an XLSX file."))


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _choose_delimiter(text: str) -> str:
    best, best_columns, tie = "", 1, False
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text[:200_000]), delimiter=delimiter)
        header: list[str] = []
        try:
            for index, cells in enumerate(reader):
                if not _is_blank(cells):
                    header = cells
                    break
                if index > SNIFF_LINES:
                    break
        except csv.Error:
            continue
        columns = len([cell for cell in header if cell.strip()])
        if columns > best_columns:
            best, best_columns, tie = delimiter, columns, False
        elif columns == best_columns and columns > 1:
            tie = True
    if not best or tie:
        raise FileError(
            _(
                "The columns' separator could not be detected: the first line must hold the "
                "column names, separated by semicolons (;) or commas (,)."
            )
        )
    return best


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    if _CONTROL.search(text[:65536]):
        raise _not_a_table_error()
    if not text.strip():
        raise FileError(_("The file is empty."))
    delimiter = _choose_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _build(enumerate(reader, start=1))
    except csv.Error as error:
        raise FileError(
            _("The file could not be read as CSV: %(error)s") % {"error": error}
        ) from error
    name = {";": ";", ",": ",", "\t": "tab", "|": "|"}[delimiter]
    table.description = f"CSV ({name}, {encoding})"
    return table


def _build(numbered_rows: Iterable[tuple[int, list[str]]]) -> Table:
    headers: list[str] | None = None
    header_line = 1
    rows: list[Row] = []
    for line, cells in numbered_rows:
        if _is_blank(cells):
            continue
        cells = [cell.strip() for cell in cells]
        if headers is None:
            while cells and not cells[-1]:
                cells.pop()
            headers, header_line = cells, line
            continue
        if len(rows) >= MAX_ROWS:
            raise FileError(
                _("The file has more than %(limit)s rows: split it into smaller files.")
                % {"limit": f"{MAX_ROWS:,}".replace(",", " ")}
            )
        width = len(headers)
        cells = (cells + [""] * width)[:width]
        rows.append(Row(line=line, cells=cells))
    if headers is None:
        raise FileError(_("The file is empty."))
    if not rows:
        raise FileError(_("The file has a header line but no data rows."))
    return Table(headers=headers, rows=rows, header_line=header_line)


# ---- XLSX ---------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return str(Decimal(repr(value)))
    return str(value).strip()


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a sheet, (min_row, min_col, max_row, max_col), read from its XML
    (openpyxl's read-only mode does not give them)."""
    ranges = []
    with archive.open(path) as stream:
        for _event, element in iterparse(stream, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell":
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                # A merged range is closed: its four bounds are given (whole rows or columns
                # would have None).
                if min_col and min_row and max_col and max_row:
                    ranges.append((min_row, min_col, max_row, max_col))
            elif tag == "row":
                element.clear()
    return ranges


def _read_xlsx(data: bytes, sheet: str | None) -> Table:
    try:
        values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise FileError(_("This file is not a valid XLSX file.")) from error
    try:
        names = values_book.sheetnames
        if sheet:
            if sheet not in names:
                raise FileError(
                    _("The workbook has no sheet named “%(sheet)s” (its sheets: %(sheets)s).")
                    % {"sheet": sheet, "sheets": ", ".join(names)}
                )
            name = sheet
        else:
            name = names[0]
        values, formulas = values_book[name], formulas_book[name]
        merged = []
        path = getattr(values, "_worksheet_path", None)
        archive = getattr(values_book, "_archive", None)
        if path and archive is not None:
            merged = _merged_ranges(archive, path)
        fill: dict[tuple[int, int], str] = {}

        def numbered() -> Iterator[tuple[int, list[str]]]:
            for value_row, formula_row in zip(
                values.iter_rows(), formulas.iter_rows(), strict=False
            ):
                cells = []
                line = None
                for value_cell, formula_cell in zip(value_row, formula_row, strict=False):
                    if line is None and getattr(value_cell, "row", None):
                        line = value_cell.row
                    text = _cell_text(value_cell.value)
                    formula = formula_cell.value
                    if not text and isinstance(formula, str) and formula.startswith("="):
                        text = formula  # never computed: refused in its cell
                    cells.append(text)
                if line is None:
                    continue
                if merged:
                    for min_row, min_col, max_row, max_col in merged:
                        if min_row == line:
                            top_left = cells[min_col - 1] if len(cells) >= min_col else ""
                            for row in range(min_row, max_row + 1):
                                for column in range(min_col, max_col + 1):
                                    fill[(row, column)] = top_left
                    for column in range(len(cells)):
                        if not cells[column] and (line, column + 1) in fill:
                            cells[column] = fill[(line, column + 1)]
                yield line, cells

        table = _build(numbered())
    finally:
        values_book.close()
        formulas_book.close()
    table.sheet, table.sheets = name, list(names)
    table.description = f"XLSX ({name})"
    return table
