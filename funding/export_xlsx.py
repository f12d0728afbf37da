"""The Funding page's XLSX export, and the sheet of allocation rows the per-funder workbook
(`export_by_funder.py`) is made of.

Every total is a formula over the rows, written with its computed value (a viewer that does not
recalculate shows the right figure): the totals use SUBTOTAL, so that they follow the
spreadsheet's filter. The file is written by XlsxWriter in constant-memory mode (each row goes to
disk as soon as it is written) into a temporary file that is then streamed (issue 17); the data
rows' XML is made here, one string per row (`Sheet.append`, `write_row_xml`), the same XML as
XlsxWriter's cell writers give at a fraction of their cost. Text is always written as a string
cell, never parsed (see `export_rows.neutralise_formula`).
"""

from __future__ import annotations

import datetime
import re
import tempfile
from decimal import Decimal
from typing import TYPE_CHECKING

import xlsxwriter
from django.http import FileResponse
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from funding.export_rows import (
    AMOUNT_COLUMNS,
    COLUMN_COUNT,
    STATUS_COLUMN,
    TOTAL_LABEL_COLUMN,
    ExportRow,
    Totals,
    export_order,
    export_rows,
    headers,
    neutralise_formula,
)
from funding.models import FundingStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import IO

    from django.db.models import QuerySet
    from xlsxwriter.worksheet import Worksheet

EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def excel_date(value: datetime.date) -> int:
    """A date as the day number a spreadsheet stores (shown as a date by its format)."""
    return (value - _EXCEL_EPOCH).days


def formula_text(text: str) -> str:
    """A text inside a formula: "…" with its quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def sheet_ref(title: str) -> str:
    """'Sheet name'! with its apostrophes doubled."""
    return "'" + title.replace("'", "''") + "'!"


def new_workbook(output: str | IO[bytes]) -> xlsxwriter.Workbook:
    """A workbook written row by row to disk (constant memory) in which text is only ever text:
    no string becomes a formula, a link or a number."""
    return xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


# What XlsxWriter does to a text before writing it as an inline string (in constant-memory mode):
# see `inline_string`.
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_NOT_PLAIN = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s\Z")


def inline_string(ref: str, text: str) -> str:
    """The XML of a text cell, as XlsxWriter writes it in constant-memory mode: control
    characters as _xHHHH_ (and a literal _xHHHH_ escaped as _x005F_xHHHH_), leading or trailing
    white space kept, &, < and > as entities. (Unlike XlsxWriter, a text that looks like rich
    text markup, "<r>…</r>", is escaped as any other: it is a user's text.) The texts exported
    are at most a few hundred characters (the models' lengths), far below the 32 767 at which
    XlsxWriter would cut them."""
    preserve = ""
    if _NOT_PLAIN.search(text):
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        if text[:1].isspace() or text[-1:].isspace():
            preserve = ' xml:space="preserve"'
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def write_row_xml(sheet: Worksheet, row: int, first: int, last: int, cells: str) -> None:
    """Write one row's cells, already as XML, into a constant-memory worksheet (XlsxWriter 3).

    The one place this module goes past XlsxWriter's public API, for speed: what
    `Worksheet.write_*` do for each cell, once per row. Like them, it first writes out the row
    still held in memory (`_write_single_row`, which leaves it empty and remembers the row now
    written) and records the sheet's extent (`_check_dimensions`: the <dimension> element), then
    appends the <row> element to the sheet's temporary file, as `_write_row` writes a row with
    no height, format or outline. Rows must come in order, as in constant-memory mode anyway."""
    if row < sheet.previous_row or (row == sheet.previous_row and sheet.table):
        raise ValueError(f"row {row} comes after a later row was written")
    if row > sheet.previous_row:
        sheet._write_single_row(row)
    if sheet._check_dimensions(row, first) or sheet._check_dimensions(row, last):
        return  # past Excel's 1 048 576 rows: left out, as XlsxWriter's writers do
    sheet.fh.write(f'<row r="{row + 1}">{cells}</row>')


class Formats:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.bold = workbook.add_format({"bold": True})
        self.euro = workbook.add_format({"num_format": EURO_FORMAT})
        self.bold_euro = workbook.add_format({"num_format": EURO_FORMAT, "bold": True})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        # The style numbers `Sheet.append` writes into the cells' XML, given now in the order
        # in which XlsxWriter would give them as the cells are written (header, a data row's
        # date then its amounts, the totals), so that the file is the same.
        self.bold._get_xf_index()
        self.date_index = self.date._get_xf_index()
        self.euro_index = self.euro._get_xf_index()
        self.bold_euro._get_xf_index()


class Sheet:
    """One worksheet of allocation rows: bold frozen header, auto-filter over the rows, amounts
    as euro numbers, dates as dates; optional sections (one per funder) each closed by a
    SUBTOTAL row; then the totals, in all and by status, as formulas over the rows."""

    WIDTHS = (24, 28, 12, 30, 8, 18, 11, 11, 30, 10, 14, 14, 14, 16, 20, 11, 20)

    def __init__(self, workbook: xlsxwriter.Workbook, formats: Formats, title: str) -> None:
        self.title = title
        self.sheet: Worksheet = workbook.add_worksheet(title)
        self.formats = formats
        self.sheet.freeze_panes(1, 0)
        for index, width in enumerate(self.WIDTHS):
            self.sheet.set_column(index, index, width)
        for index, text in enumerate(headers()):
            self.sheet.write_string(0, index, text, formats.bold)
        self.row = 1  # the next row to write (0-based)
        self.totals = Totals()
        # What `append` writes: each column's letter, the formats' style numbers, each date's
        # day number as text.
        self.letters = [xl_col_to_name(column) for column in range(COLUMN_COUNT)]
        self.euro, self.date = formats.euro_index, formats.date_index
        self._dates: dict[datetime.date, str] = {}
        self.section_start: int | None = None
        self.section_totals: Totals | None = None

    def open_section(self, name: str) -> None:
        self.sheet.write_string(
            self.row, TOTAL_LABEL_COLUMN, neutralise_formula(name), self.formats.bold
        )
        self.row += 1
        self.section_start = self.row
        self.section_totals = Totals()

    def close_section(self, label: str) -> tuple[int, int]:
        """Write the section's subtotal row; return the section's rows (first, last, 0-based)."""
        first, last, totals = self.section_start, self.row - 1, self.section_totals
        assert first is not None and totals is not None, "a section is open"
        self.sheet.write_string(
            self.row, TOTAL_LABEL_COLUMN, neutralise_formula(label), self.formats.bold
        )
        for column, value in zip(
            AMOUNT_COLUMNS, (totals.requested, totals.approved, totals.counted), strict=True
        ):
            self.sheet.write_formula(
                self.row,
                column,
                f"=SUBTOTAL(9,{self.cell_range(column, first, last)})",
                self.formats.bold_euro,
                float(value),
            )
        self.row += 1
        self.section_start = self.section_totals = None
        return first, last

    def cell_range(self, column: int, first: int, last: int, *, absolute: bool = False) -> str:
        letter = xl_col_to_name(column)
        dollar = "$" if absolute else ""
        return f"{dollar}{letter}{dollar}{first + 1}:{dollar}{letter}{dollar}{last + 1}"

    def append(self, row: ExportRow) -> None:
        # Writing cells is most of an export's time (1.7 million cells at 100 000 allocations):
        # the row's XML is made here in one string, as XlsxWriter would write it (its per-cell
        # writers cost several times more: type checks, a cell record, escaping each cell).
        # An empty text or value is no cell at all, dates are day numbers with a date format.
        number = str(self.row + 1)
        cells = []
        first = last = -1  # the row's first and last cells' columns
        for column, value in enumerate(row.cells):
            if value is None or value == "":
                continue
            if first < 0:
                first = column
            last = column
            ref = self.letters[column] + number
            if value.__class__ is str:
                cells.append(inline_string(ref, value))
            elif isinstance(value, Decimal):
                cells.append(f'<c r="{ref}" s="{self.euro}"><v>{float(value):.16G}</v></c>')
            else:
                serial = self._dates.get(value)
                if serial is None:
                    serial = self._dates[value] = f"{excel_date(value):.16G}"
                cells.append(f'<c r="{ref}" s="{self.date}"><v>{serial}</v></c>')
        if first >= 0:
            write_row_xml(self.sheet, self.row, first, last, "".join(cells))
        self.row += 1
        self.totals.add(row)
        if self.section_totals is not None:
            self.section_totals.add(row)

    def close(self) -> None:
        """The auto-filter over the header and the rows, then, after an empty row, the totals:
        SUBTOTAL of each amount column (it skips the rows the filter hides, and the sections'
        own subtotals), and by status the visible rows of that status."""
        last = self.row - 1  # the last row of data (0 when there is none)
        self.sheet.autofilter(0, 0, last, COLUMN_COUNT - 1)
        row = self.row + 1
        status_column = self.cell_range(STATUS_COLUMN, 1, last, absolute=True)
        for label, status, amounts in self.totals.lines():
            self.sheet.write_string(row, TOTAL_LABEL_COLUMN, label, self.formats.bold)
            if status is not None:
                self.sheet.write_string(row, STATUS_COLUMN, str(FundingStatus(status).label))
            for column, value in zip(AMOUNT_COLUMNS, amounts, strict=True):
                if last == 0:
                    self.sheet.write_number(row, column, 0, self.formats.bold_euro)
                    continue
                cells = self.cell_range(column, 1, last, absolute=True)
                if status is None:
                    formula = f"=SUBTOTAL(9,{cells})"
                else:
                    # The visible rows of this status: SUBTOTAL of each row alone is its value
                    # when the filter shows it, else 0.
                    first_cell = f"${xl_col_to_name(column)}$2"
                    label_text = formula_text(str(FundingStatus(status).label))
                    formula = (
                        f"=SUMPRODUCT(SUBTOTAL(9,OFFSET({first_cell},ROW({cells})-ROW("
                        f"{first_cell}),0)),--({status_column}={label_text}))"
                    )
                self.sheet.write_formula(row, column, formula, self.formats.bold_euro, float(value))
            row += 1


def xlsx_file_response(build: Callable[[xlsxwriter.Workbook], None], filename: str) -> FileResponse:
    """`build(workbook)` fills a workbook zipped into a temporary file on disk, which is then
    streamed in chunks; FileResponse closes, hence deletes, the file when the response is done."""
    output = tempfile.TemporaryFile()  # noqa: SIM115
    workbook = new_workbook(output)
    build(workbook)
    workbook.close()
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def write_xlsx(workbook: xlsxwriter.Workbook, rows: Iterable[ExportRow]) -> None:
    sheet = Sheet(workbook, Formats(workbook), _("Funding"))
    for row in rows:
        sheet.append(row)
    sheet.close()


def xlsx_response(allocations: QuerySet, filename: str) -> FileResponse:
    rows = export_rows(export_order(allocations))
    return xlsx_file_response(lambda workbook: write_xlsx(workbook, rows), filename)
