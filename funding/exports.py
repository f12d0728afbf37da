"""Financial exports of the Funding page's current filter: XLSX, CSV, and XLSX grouped by funding
type ("per funder").

Built for 100 000 allocations in bounded memory: rows are read with `values_list(...).iterator()`
(no model instances, chunks of 2 000), the XLSX is written by openpyxl in write-only mode to a
temporary file that is then streamed, and the CSV is a generator behind a StreamingHttpResponse.

Every text cell that a spreadsheet could read as a formula (starting with =, +, -, @, tab or
carriage return) is neutralised with a leading apostrophe: names and references are typed by
users and partners, and a cell such as `=HYPERLINK(...)` must stay text.
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from funding.models import FundingStatus
from funding.types import BPF_LINE, FundingType

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db.models import QuerySet

    from certeef.models import Organization

CHUNK_SIZE = 2000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What one export row reads from the database: plain values, no model instances.
_FIELDS = (
    "learner__first_name",
    "learner__last_name",
    "company__name",
    "individual__billing_name",
    "individual_id",
    "funding_type",
    "session__reference",
    "session__start_date",
    "session__end_date",
    "session__course__title",
    "status",
    "requested_amount",
    "approved_amount",
    "cpf_case_number",
    "funder_reference",
    "paid_on",
)


def neutralise_formula(text: str) -> str:
    """'=1+1' → "'=1+1": a spreadsheet shows the text instead of evaluating it."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


@dataclass(frozen=True)
class ExportRow:
    learner: str
    carrier: str
    carrier_kind: str
    funding_type: str
    type_label: str
    bpf_line: str
    session: str
    start_date: datetime.date
    end_date: datetime.date
    course: str
    status: str
    requested_amount: Decimal | None
    approved_amount: Decimal
    case_number: str
    funder_reference: str
    paid_on: datetime.date | None

    def cells(self) -> tuple:
        """The values in column order (see `headers`), text already neutralised."""
        values = (
            self.learner,
            self.carrier,
            self.carrier_kind,
            self.type_label,
            self.bpf_line,
            self.session,
            self.start_date,
            self.end_date,
            self.course,
            self.status,
            self.requested_amount,
            self.approved_amount,
            self.case_number,
            self.funder_reference,
            self.paid_on,
        )
        return tuple(neutralise_formula(v) if isinstance(v, str) else v for v in values)


def headers() -> list[str]:
    return [
        _("Learner"),
        _("Carrier"),
        _("Company/individual"),
        _("Type"),
        _("BPF line"),
        _("Session"),
        _("Start date"),
        _("End date"),
        _("Course"),
        _("Status"),
        _("Requested amount"),
        _("Approved amount"),
        _("CPF case number"),
        _("Funder reference"),
        _("Paid on"),
    ]


AMOUNT_COLUMNS = (10, 11)  # requested, approved (0-based)
DATE_COLUMNS = (6, 7, 14)
TOTAL_LABEL_COLUMN = 0


def export_rows(allocations: QuerySet) -> Iterator[ExportRow]:
    """The rows of an (ordered) allocation queryset, read in chunks."""
    type_labels = {value: str(label) for value, label in FundingType.choices}
    status_labels = {value: str(label) for value, label in FundingStatus.choices}
    company_label, individual_label = _("Company"), _("Individual")
    for (
        first_name,
        last_name,
        company_name,
        billing_name,
        individual_id,
        funding_type,
        session_reference,
        start_date,
        end_date,
        course_title,
        status,
        requested_amount,
        approved_amount,
        case_number,
        funder_reference,
        paid_on,
    ) in allocations.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        learner = f"{first_name} {last_name}"
        is_individual = individual_id is not None
        yield ExportRow(
            learner=learner,
            # An individual carries their own funding: their billing name, else their name.
            carrier=(billing_name or learner) if is_individual else company_name,
            carrier_kind=individual_label if is_individual else company_label,
            funding_type=funding_type,
            type_label=type_labels[funding_type],
            bpf_line=BPF_LINE[funding_type],
            session=session_reference or course_title,
            start_date=start_date,
            end_date=end_date,
            course=course_title,
            status=status_labels[status],
            requested_amount=requested_amount,
            approved_amount=approved_amount,
            case_number=case_number,
            funder_reference=funder_reference,
            paid_on=paid_on,
        )


def export_order(allocations: QuerySet) -> QuerySet:
    return allocations.order_by(
        "session__start_date", "session_id", "learner__last_name", "learner__first_name", "pk"
    )


def by_type_order(allocations: QuerySet) -> QuerySet:
    """Grouped by funding type, in the order types are listed in BPF.md."""
    type_rank = Case(
        *(When(funding_type=value, then=Value(rank)) for rank, value in enumerate(FundingType)),
        output_field=IntegerField(),
    )
    return allocations.alias(type_rank=type_rank).order_by(
        "type_rank", "session__start_date", "session_id", "learner__last_name", "pk"
    )


def export_filename(
    organization: Organization, day: datetime.date, extension: str, *, suffix: str = ""
) -> str:
    """funding-<org-slug>-<YYYY-MM-DD>[-suffix].<extension>"""
    return f"funding-{organization.slug}-{day:%Y-%m-%d}{suffix}.{extension}"


# ---------------------------------------------------------------------------------------------
# XLSX


class _Sheet:
    """One write-only worksheet of allocation rows: bold frozen header, auto-filter over the
    data rows, amounts as euro numbers, dates as dates, a totals row."""

    WIDTHS = (24, 28, 12, 30, 8, 18, 11, 11, 30, 10, 14, 14, 16, 20, 11)

    def __init__(self, workbook: Workbook, title: str) -> None:
        self.sheet = workbook.create_sheet(title=title)
        # Both must be set before the first row: write-only sheets stream their XML.
        self.sheet.freeze_panes = "A2"
        for index, width in enumerate(self.WIDTHS, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.bold = Font(bold=True)
        self.sheet.append([self._cell(text, bold=True) for text in headers()])
        self.formatted_cells = {
            **{index: self._formatted_cell(EURO_FORMAT) for index in AMOUNT_COLUMNS},
            **{index: self._formatted_cell(DATE_FORMAT) for index in DATE_COLUMNS},
        }
        self.data_rows = 0
        self.requested_total = Decimal("0.00")
        self.approved_total = Decimal("0.00")

    def _cell(self, value, *, bold: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        if bold:
            cell.font = self.bold
        return cell

    def _formatted_cell(self, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet)
        cell.number_format = number_format
        return cell

    def append(self, row: ExportRow) -> None:
        # Writing cells is most of an export's time. Text goes in as is, and an empty text is
        # no cell at all (None). Amounts and dates need a cell for their number format: a
        # write-only sheet serialises a row as soon as it is appended, so one formatted cell
        # per column is reused from row to row instead of building (and styling) a new one.
        cells: list = [None if value == "" else value for value in row.cells()]
        for index, cell in self.formatted_cells.items():
            if cells[index] is not None:
                cell.value = cells[index]
                cells[index] = cell
        self.sheet.append(cells)
        self.data_rows += 1
        self.requested_total += row.requested_amount or 0
        self.approved_total += row.approved_amount

    def close(self, total_label: str) -> None:
        last_column = get_column_letter(len(self.WIDTHS))
        self.sheet.auto_filter.ref = f"A1:{last_column}{self.data_rows + 1}"
        totals: list = [None] * len(self.WIDTHS)
        totals[TOTAL_LABEL_COLUMN] = total_label
        totals[AMOUNT_COLUMNS[0]] = self.requested_total
        totals[AMOUNT_COLUMNS[1]] = self.approved_total
        cells = []
        for index, value in enumerate(totals):
            cell = self._cell(value, bold=True)
            if index in AMOUNT_COLUMNS:
                cell.number_format = EURO_FORMAT
            cells.append(cell)
        self.sheet.append(cells)


def _xlsx_response(workbook: Workbook, filename: str) -> FileResponse:
    # The workbook is zipped into a temporary file on disk, then streamed in chunks; FileResponse
    # closes, hence deletes, the file when the response is done.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def write_xlsx(rows: Iterable[ExportRow]) -> Workbook:
    workbook = Workbook(write_only=True)
    sheet = _Sheet(workbook, _("Funding"))
    for row in rows:
        sheet.append(row)
    sheet.close(_("Total"))
    return workbook


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(funding_type: str, used: set[str]) -> str:
    """'h OPCO – skills development plan' cut to Excel's 31 characters, unique in the book."""
    label = _SHEET_TITLE_FORBIDDEN.sub(" ", str(FundingType(funding_type).label))
    title = f"{BPF_LINE[funding_type]} {label}"[:31].strip()
    while title in used:
        title = title[:28] + f"~{len(used)}"
    used.add(title)
    return title


def write_xlsx_by_type(rows: Iterable[ExportRow]) -> Workbook:
    """A summary sheet (one line per funding type: BPF line, count, requested and approved
    subtotals, then the grand total), then one sheet per funding type with its rows and its
    subtotal. `rows` must come grouped by type (see `by_type_order`)."""
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(title=_("Summary"))
    summary.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (44, 9, 9, 16, 16), strict=True):
        summary.column_dimensions[letter].width = width
    bold = Font(bold=True)

    def summary_cells(values: list, *, is_bold: bool = False) -> list[WriteOnlyCell]:
        cells = []
        for index, value in enumerate(values):
            cell = WriteOnlyCell(summary, value=value)
            if is_bold:
                cell.font = bold
            if index >= 3:
                cell.number_format = EURO_FORMAT
            cells.append(cell)
        return cells

    summary.append(
        summary_cells(
            [_("Type"), _("BPF line"), _("Allocations"), _("Requested amount"),
             _("Approved amount")],
            is_bold=True,
        )
    )  # fmt: skip
    used_titles: set[str] = {_("Summary")}
    current_type: str | None = None
    sheet: _Sheet | None = None
    count = 0
    requested_total = approved_total = Decimal("0.00")

    def close_group() -> None:
        label = FundingType(current_type).label
        sheet.close(_("Subtotal %(type)s") % {"type": label})
        summary.append(
            summary_cells(
                [neutralise_formula(str(label)), BPF_LINE[current_type], sheet.data_rows,
                 sheet.requested_total, sheet.approved_total]
            )
        )  # fmt: skip

    for row in rows:
        if row.funding_type != current_type:
            if sheet is not None:
                close_group()
            current_type = row.funding_type
            sheet = _Sheet(workbook, _sheet_title(current_type, used_titles))
        sheet.append(row)
        count += 1
        requested_total += row.requested_amount or 0
        approved_total += row.approved_amount
    if sheet is not None:
        close_group()
    summary.append(
        summary_cells([_("Total"), None, count, requested_total, approved_total], is_bold=True)
    )
    return workbook


def xlsx_response(allocations: QuerySet, filename: str) -> FileResponse:
    return _xlsx_response(write_xlsx(export_rows(export_order(allocations))), filename)


def xlsx_by_type_response(allocations: QuerySet, filename: str) -> FileResponse:
    return _xlsx_response(write_xlsx_by_type(export_rows(by_type_order(allocations))), filename)


# ---------------------------------------------------------------------------------------------
# CSV


def french_decimal(value: Decimal | None) -> str:
    """Decimal('1234.5') → '1234,50' (no thousands separator: spreadsheets read it as a number)."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def french_date(value: datetime.date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[ExportRow]) -> Iterator[str]:
    """UTF-8 BOM, header, one line per allocation, totals: what French spreadsheet users open
    with a double click (semicolon separator, decimal comma, dd/mm/yyyy dates)."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    yield writer.writerow(headers())
    requested_total = approved_total = Decimal("0.00")
    for row in rows:
        values = []
        for index, value in enumerate(row.cells()):
            if index in AMOUNT_COLUMNS:
                values.append(french_decimal(value))
            elif index in DATE_COLUMNS:
                values.append(french_date(value))
            else:
                values.append(value)
        yield writer.writerow(values)
        requested_total += row.requested_amount or 0
        approved_total += row.approved_amount
    totals = [""] * len(headers())
    totals[TOTAL_LABEL_COLUMN] = _("Total")
    totals[AMOUNT_COLUMNS[0]] = french_decimal(requested_total)
    totals[AMOUNT_COLUMNS[1]] = french_decimal(approved_total)
    yield writer.writerow(totals)


def csv_response(allocations: QuerySet, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(export_rows(export_order(allocations)))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
