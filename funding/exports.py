"""Financial exports of the Funding page's current filter: XLSX, CSV, and XLSX per funder.

What an accountant needs (issue 12): each row says what it **counts** (its approved amount when
Approved or Paid, else 0), and the totals are given by status, so that Pending and Rejected money
is never mistaken for income. In the XLSX files every total is a formula over the rows, written
with its computed value (a viewer that does not recalculate shows the right figure): the totals
use SUBTOTAL, so that they follow the spreadsheet's filter. The CSV keeps plain values.

"Per funder" groups the rows by who actually pays: the company's OPCO, the company itself,
France Travail, the Caisse des Dépôts for CPF, the learner for self-funded training… one sheet per
institutional funder, one section per company or individual, and a summary of what each funder
has pending, approved and paid.

Built for 100 000 allocations in bounded memory and at close to the speed of the format (issue
17): rows are read with `values_list(...).iterator()` (no model instances, chunks of 2 000), the
XLSX files are written by XlsxWriter in constant-memory mode (each row goes to disk as soon as it
is written) into a temporary file that is then streamed, and the CSV is a generator behind a
StreamingHttpResponse that sends a few hundred lines at a time.

Every text cell that a spreadsheet could read as a formula (starting with =, +, -, @, tab or
carriage return) is neutralised with a leading apostrophe: names and references are typed by
users and partners, and a cell such as `=HYPERLINK(...)` must stay text. In the XLSX files, text
is moreover always written as a string cell, never parsed.
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import xlsxwriter
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from companies.models import Opco
from funding.models import COUNTED_STATUSES, FundingStatus
from funding.types import BPF_LINE, FundingType

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db.models import QuerySet
    from xlsxwriter.worksheet import Worksheet

    from certeef.models import Organization

CHUNK_SIZE = 2000
# CSV lines sent to the client at a time: one write per line would cost more than the line.
CSV_BATCH = 500
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EURO_FORMAT = '#,##0.00 "€"'
DATE_FORMAT = "DD/MM/YYYY"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZERO = Decimal("0.00")
# The order of the totals by status.
STATUS_ORDER: tuple[str, ...] = (
    FundingStatus.PENDING,
    FundingStatus.APPROVED,
    FundingStatus.PAID,
    FundingStatus.REJECTED,
)

# What one export row reads from the database: plain values, no model instances.
_FIELDS = (
    "learner__first_name",
    "learner__last_name",
    "company_id",
    "company__name",
    "company__opco",
    "individual_id",
    "individual__billing_name",
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
    "remittance_reference",
)


def neutralise_formula(text: str) -> str:
    """'=1+1' → "'=1+1": a spreadsheet shows the text instead of evaluating it."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


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
        _("Counted"),
        _("CPF case number"),
        _("Funder reference"),
        _("Paid on"),
        _("Remittance reference"),
    ]


COLUMN_COUNT = 17
STATUS_COLUMN = 9
AMOUNT_COLUMNS = (10, 11, 12)  # requested, approved, counted (0-based)
REQUESTED_COLUMN, APPROVED_COLUMN, COUNTED_COLUMN = AMOUNT_COLUMNS
DATE_COLUMNS = (6, 7, 15)
TOTAL_LABEL_COLUMN = 0


# ---------------------------------------------------------------------------------------------
# Funders: who actually pays an allocation


# Types paid by the company's OPCO.
OPCO_TYPES: tuple[str, ...] = (
    FundingType.OPCO_APPRENTICESHIP,
    FundingType.OPCO_PROFESSIONALISATION,
    FundingType.OPCO_PRO_A,
    FundingType.OPCO_JOB_SEEKERS,
    FundingType.OPCO_SKILLS_PLAN,
)


class FunderKind:
    """Who pays, in the order of the per-funder export's sheets."""

    OPCO = "opco"
    OPCO_NOT_SET = "opco_not_set"  # an OPCO type on a company whose OPCO is not recorded
    CAISSE_DES_DEPOTS = "caisse_des_depots"
    FRANCE_TRAVAIL = "france_travail"
    TRANSITIONS_PRO = "transitions_pro"
    FAF = "faf"
    COMPANY = "company"
    INDIVIDUAL = "individual"

    ORDER = (
        OPCO,
        OPCO_NOT_SET,
        CAISSE_DES_DEPOTS,
        FRANCE_TRAVAIL,
        TRANSITIONS_PRO,
        FAF,
        COMPANY,
        INDIVIDUAL,
    )
    # Funders of these kinds share one sheet, one section each.
    SHARED_SHEET = (OPCO_NOT_SET, COMPANY, INDIVIDUAL)


# A funding type paid by a funder of its own, whoever carries the allocation.
_TYPE_FUNDER: dict[str, str] = {
    FundingType.CPF: FunderKind.CAISSE_DES_DEPOTS,
    FundingType.FRANCE_TRAVAIL: FunderKind.FRANCE_TRAVAIL,
    FundingType.TRANSITION_PRO: FunderKind.TRANSITIONS_PRO,
    FundingType.FAF_SELF_EMPLOYED: FunderKind.FAF,
}


def funder_kind_labels() -> dict[str, str]:
    """What the summary's "Funder kind" column and the shared sheets are called."""
    return {
        FunderKind.OPCO: _("OPCO"),
        FunderKind.OPCO_NOT_SET: _("OPCO not set"),
        FunderKind.CAISSE_DES_DEPOTS: _("Caisse des Dépôts (CPF)"),
        FunderKind.FRANCE_TRAVAIL: _("France Travail"),
        FunderKind.TRANSITIONS_PRO: _("Transitions Pro"),
        FunderKind.FAF: _("FAF (non-salaried workers)"),
        FunderKind.COMPANY: _("Companies"),
        FunderKind.INDIVIDUAL: _("Individuals"),
    }


@dataclass(frozen=True)
class Funder:
    kind: str
    key: object  # the OPCO's code, the company's or the individual's id, or None
    name: str


def funder_of(
    funding_type: str,
    company_id: int | None,
    company_name: str | None,
    opco: str | None,
    individual_id: int | None,
    carrier_name: str,
    kind_labels: dict[str, str],
) -> Funder:
    """The OPCO (from the company's OPCO) for an OPCO type, the Caisse des Dépôts for CPF, France
    Travail, Transitions Pro, the FAF; else the carrier itself: the company paying directly (or
    the public body, the other training organisation), the individual paying for themself."""
    kind = _TYPE_FUNDER.get(funding_type)
    if kind is not None:
        return Funder(kind, None, kind_labels[kind])
    if funding_type in OPCO_TYPES:
        if opco:
            return Funder(FunderKind.OPCO, opco, str(Opco(opco).label))
        return Funder(FunderKind.OPCO_NOT_SET, company_id, company_name)
    if individual_id is not None:
        return Funder(FunderKind.INDIVIDUAL, individual_id, carrier_name)
    return Funder(FunderKind.COMPANY, company_id, company_name)


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One allocation: its cells in column order (text already neutralised, amounts as
    Decimal, dates as dates), and what the totals and the grouping need."""

    cells: tuple
    status: str
    requested_amount: Decimal | None
    approved_amount: Decimal
    counted_amount: Decimal
    funding_type: str
    funder: Funder


def export_rows(allocations: QuerySet) -> Iterator[ExportRow]:
    """The rows of an (ordered) allocation queryset, read in chunks."""
    type_labels = {value: str(label) for value, label in FundingType.choices}
    status_labels = {value: str(label) for value, label in FundingStatus.choices}
    kind_labels = funder_kind_labels()
    company_label, individual_label = _("Company"), _("Individual")
    counted_statuses = frozenset(COUNTED_STATUSES)
    text = neutralise_formula
    for (
        first_name,
        last_name,
        company_id,
        company_name,
        opco,
        individual_id,
        billing_name,
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
        remittance_reference,
    ) in allocations.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        learner = f"{first_name} {last_name}"
        is_individual = individual_id is not None
        # An individual carries their own funding: their billing name, else their name.
        carrier = (billing_name or learner) if is_individual else company_name
        counted = approved_amount if status in counted_statuses else ZERO
        yield ExportRow(
            cells=(
                text(learner),
                text(carrier),
                individual_label if is_individual else company_label,
                type_labels[funding_type],
                BPF_LINE[funding_type],
                text(session_reference or course_title),
                start_date,
                end_date,
                text(course_title),
                status_labels[status],
                requested_amount,
                approved_amount,
                counted,
                case_number,
                text(funder_reference),
                paid_on,
                text(remittance_reference),
            ),
            status=status,
            requested_amount=requested_amount,
            approved_amount=approved_amount,
            counted_amount=counted,
            funding_type=funding_type,
            funder=funder_of(
                funding_type,
                company_id,
                company_name,
                opco,
                individual_id,
                carrier,
                kind_labels,
            ),
        )


class Totals:
    """Requested, approved and counted amounts, in all and by status."""

    def __init__(self) -> None:
        self.count = 0
        self.requested = ZERO
        self.approved = ZERO
        self.counted = ZERO
        self.by_status: dict[str, list[Decimal]] = {
            status: [ZERO, ZERO, ZERO] for status in STATUS_ORDER
        }

    def add(self, row: ExportRow) -> None:
        self.count += 1
        requested = row.requested_amount or ZERO
        self.requested += requested
        self.approved += row.approved_amount
        self.counted += row.counted_amount
        amounts = self.by_status[row.status]
        amounts[0] += requested
        amounts[1] += row.approved_amount
        amounts[2] += row.counted_amount

    def lines(self) -> list[tuple[str, str | None, tuple[Decimal, Decimal, Decimal]]]:
        """(label, status code or None for the grand total, (requested, approved, counted))."""
        status_labels = dict(FundingStatus.choices)
        lines = [(_("Total"), None, (self.requested, self.approved, self.counted))]
        for status in STATUS_ORDER:
            label = _("Total %(status)s") % {"status": status_labels[status]}
            lines.append((label, status, tuple(self.by_status[status])))
        return lines


def export_order(allocations: QuerySet) -> QuerySet:
    return allocations.order_by(
        "session__start_date", "session_id", "learner__last_name", "learner__first_name", "pk"
    )


def by_funder_order(allocations: QuerySet) -> QuerySet:
    """Grouped by funder (see `funder_of`), funders in the order of `FunderKind.ORDER`, then by
    OPCO, company or individual."""
    rank = {kind: index for index, kind in enumerate(FunderKind.ORDER)}
    funder_rank = Case(
        *(
            When(funding_type=funding_type, then=Value(rank[kind]))
            for funding_type, kind in _TYPE_FUNDER.items()
        ),
        When(
            Q(funding_type__in=OPCO_TYPES) & Q(company__opco=""),
            then=Value(rank[FunderKind.OPCO_NOT_SET]),
        ),
        When(funding_type__in=OPCO_TYPES, then=Value(rank[FunderKind.OPCO])),
        When(individual__isnull=False, then=Value(rank[FunderKind.INDIVIDUAL])),
        default=Value(rank[FunderKind.COMPANY]),
        output_field=IntegerField(),
    )
    return allocations.alias(funder_rank=funder_rank).order_by(
        "funder_rank",
        "company__opco",
        "company__name",
        "company_id",
        "individual__billing_name",
        "learner__last_name",
        "learner__first_name",
        "individual_id",
        "session__start_date",
        "session_id",
        "pk",
    )


def export_filename(
    organization: Organization, day: datetime.date, extension: str, *, suffix: str = ""
) -> str:
    """funding-<org-slug>-<YYYY-MM-DD>[-suffix].<extension>"""
    return f"funding-{organization.slug}-{day:%Y-%m-%d}{suffix}.{extension}"


# ---------------------------------------------------------------------------------------------
# XLSX

_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def excel_date(value: datetime.date) -> int:
    """A date as the day number a spreadsheet stores (shown as a date by its format)."""
    return (value - _EXCEL_EPOCH).days


def _formula_text(text: str) -> str:
    """A text inside a formula: "…" with its quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def _sheet_ref(title: str) -> str:
    """'Sheet name'! with its apostrophes doubled."""
    return "'" + title.replace("'", "''") + "'!"


def new_workbook(output) -> xlsxwriter.Workbook:
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


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.bold = workbook.add_format({"bold": True})
        self.euro = workbook.add_format({"num_format": EURO_FORMAT})
        self.bold_euro = workbook.add_format({"num_format": EURO_FORMAT, "bold": True})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})


class _Sheet:
    """One worksheet of allocation rows: bold frozen header, auto-filter over the rows, amounts
    as euro numbers, dates as dates; optional sections (one per funder) each closed by a
    SUBTOTAL row; then the totals, in all and by status, as formulas over the rows."""

    WIDTHS = (24, 28, 12, 30, 8, 18, 11, 11, 30, 10, 14, 14, 14, 16, 20, 11, 20)

    def __init__(self, workbook: xlsxwriter.Workbook, formats: _Formats, title: str) -> None:
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
        # Internal writers: the public ones check their arguments' types on every cell.
        self._string = self.sheet._write_string
        self._number = self.sheet._write_number
        self._dates: dict[datetime.date, int] = {}
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
        first, last = self.section_start, self.row - 1
        totals = self.section_totals
        self.sheet.write_string(
            self.row, TOTAL_LABEL_COLUMN, neutralise_formula(label), self.formats.bold
        )
        for column, value in zip(
            AMOUNT_COLUMNS, (totals.requested, totals.approved, totals.counted), strict=True
        ):
            self.sheet.write_formula(
                self.row,
                column,
                f"=SUBTOTAL(9,{self._range(column, first, last)})",
                self.formats.bold_euro,
                float(value),
            )
        self.row += 1
        self.section_start = self.section_totals = None
        return first, last

    def _range(self, column: int, first: int, last: int, *, absolute: bool = False) -> str:
        letter = xl_col_to_name(column)
        dollar = "$" if absolute else ""
        return f"{dollar}{letter}{dollar}{first + 1}:{dollar}{letter}{dollar}{last + 1}"

    def append(self, row: ExportRow) -> None:
        # Writing cells is most of an export's time: each cell goes straight to its writer, an
        # empty text or value is no cell at all, dates are day numbers with a date format.
        number, string, index, formats = self._number, self._string, self.row, self.formats
        for column, value in enumerate(row.cells):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                string(index, column, value, None)
            elif isinstance(value, Decimal):
                number(index, column, float(value), formats.euro)
            else:
                serial = self._dates.get(value)
                if serial is None:
                    serial = self._dates[value] = excel_date(value)
                number(index, column, serial, formats.date)
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
        status_column = self._range(STATUS_COLUMN, 1, last, absolute=True)
        for label, status, amounts in self.totals.lines():
            self.sheet.write_string(row, TOTAL_LABEL_COLUMN, label, self.formats.bold)
            if status is not None:
                self.sheet.write_string(row, STATUS_COLUMN, str(FundingStatus(status).label))
            for column, value in zip(AMOUNT_COLUMNS, amounts, strict=True):
                if last == 0:
                    self.sheet.write_number(row, column, 0, self.formats.bold_euro)
                    continue
                cells = self._range(column, 1, last, absolute=True)
                if status is None:
                    formula = f"=SUBTOTAL(9,{cells})"
                else:
                    # The visible rows of this status: SUBTOTAL of each row alone is its value
                    # when the filter shows it, else 0.
                    first_cell = f"${xl_col_to_name(column)}$2"
                    label_text = _formula_text(str(FundingStatus(status).label))
                    formula = (
                        f"=SUMPRODUCT(SUBTOTAL(9,OFFSET({first_cell},ROW({cells})-ROW("
                        f"{first_cell}),0)),--({status_column}={label_text}))"
                    )
                self.sheet.write_formula(row, column, formula, self.formats.bold_euro, float(value))
            row += 1


def _xlsx_response(build, filename: str) -> FileResponse:
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
    sheet = _Sheet(workbook, _Formats(workbook), _("Funding"))
    for row in rows:
        sheet.append(row)
    sheet.close()


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, used: set[str]) -> str:
    """A sheet title: Excel's forbidden characters replaced, cut to 31 characters, unique in the
    book (case-insensitively, as Excel compares them)."""
    title = _SHEET_TITLE_FORBIDDEN.sub(" ", name)[:31].strip(" '") or "-"
    base, number = title, 1
    while title.casefold() in used:
        number += 1
        suffix = f" ({number})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title.casefold())
    return title


SUMMARY_HEADERS_WIDTHS = (36, 24, 24, 12, 16, 16, 16, 16, 16)


def write_xlsx_by_funder(workbook: xlsxwriter.Workbook, rows: Iterable[ExportRow]) -> None:
    """A summary sheet (one line per funder: its kind, its sheet, its allocations, what it has
    pending, approved, paid and rejected, and what counts), then the rows funder by funder: one
    sheet per OPCO and per institutional funder, one shared sheet with a section per company
    (and per individual) paying directly. `rows` must come grouped by funder (see
    `by_funder_order`)."""
    formats = _Formats(workbook)
    kind_labels = funder_kind_labels()
    status_labels = dict(FundingStatus.choices)
    summary = workbook.add_worksheet(_("Summary"))
    summary.freeze_panes(1, 0)
    for index, width in enumerate(SUMMARY_HEADERS_WIDTHS):
        summary.set_column(index, index, width)
    summary_headers = [
        _("Funder"),
        _("Funder kind"),
        _("Sheet"),
        _("Allocations"),
        *(str(status_labels[status]) for status in STATUS_ORDER),
        _("Counted"),
    ]
    for index, text in enumerate(summary_headers):
        summary.write_string(0, index, text, formats.bold)
    used_titles = {_("Summary").casefold()}
    summary_row = 1
    sheet: _Sheet | None = None
    sheet_kind: str | None = None
    funder: Funder | None = None
    funder_totals: Totals | None = None

    def close_funder() -> None:
        nonlocal summary_row
        shared = funder.kind in FunderKind.SHARED_SHEET
        if shared:
            first, last = sheet.close_section(_("Subtotal %(funder)s") % {"funder": funder.name})
        else:
            first, last = 1, sheet.row - 1
        ref = _sheet_ref(sheet.title)
        approved = f"{ref}{sheet._range(APPROVED_COLUMN, first, last, absolute=True)}"
        statuses = f"{ref}{sheet._range(STATUS_COLUMN, first, last, absolute=True)}"
        summary.write_string(summary_row, 0, neutralise_formula(funder.name))
        summary.write_string(summary_row, 1, kind_labels[funder.kind])
        summary.write_string(summary_row, 2, sheet.title)
        summary.write_number(summary_row, 3, funder_totals.count)
        for column, status in enumerate(STATUS_ORDER, start=4):
            summary.write_formula(
                summary_row,
                column,
                f"=SUMIFS({approved},{statuses},{_formula_text(str(status_labels[status]))})",
                formats.euro,
                float(funder_totals.by_status[status][1]),
            )
        # Counted: Approved plus Paid.
        summary.write_formula(
            summary_row, 8, f"=F{summary_row + 1}+G{summary_row + 1}", formats.euro,
            float(funder_totals.counted),
        )  # fmt: skip
        summary_row += 1

    grand = Totals()
    for row in rows:
        if row.funder != funder:
            if funder is not None:
                close_funder()
            funder = row.funder
            funder_totals = Totals()
            if funder.kind != sheet_kind or funder.kind not in FunderKind.SHARED_SHEET:
                if sheet is not None:
                    sheet.close()
                name = (
                    kind_labels[funder.kind] if funder.kind in FunderKind.SHARED_SHEET
                    else funder.name
                )  # fmt: skip
                sheet = _Sheet(workbook, formats, _sheet_title(name, used_titles))
                sheet_kind = funder.kind
            if funder.kind in FunderKind.SHARED_SHEET:
                sheet.open_section(funder.name)
        sheet.append(row)
        funder_totals.add(row)
        grand.add(row)
    if funder is not None:
        close_funder()
        sheet.close()
    summary.autofilter(0, 0, summary_row - 1, len(summary_headers) - 1)
    summary.write_string(summary_row + 1, 0, _("Total"), formats.bold)
    values = [
        grand.count,
        *(grand.by_status[status][1] for status in STATUS_ORDER),
        grand.counted,
    ]
    for column, value in enumerate(values, start=3):
        cell_format = formats.bold if column == 3 else formats.bold_euro
        if summary_row == 1:
            summary.write_number(summary_row + 1, column, 0, cell_format)
            continue
        letter = xl_col_to_name(column)
        summary.write_formula(
            summary_row + 1,
            column,
            f"=SUBTOTAL(9,{letter}2:{letter}{summary_row})",
            cell_format,
            float(value),
        )


def xlsx_response(allocations: QuerySet, filename: str) -> FileResponse:
    rows = export_rows(export_order(allocations))
    return _xlsx_response(lambda workbook: write_xlsx(workbook, rows), filename)


def xlsx_by_funder_response(allocations: QuerySet, filename: str) -> FileResponse:
    rows = export_rows(by_funder_order(allocations))
    return _xlsx_response(lambda workbook: write_xlsx_by_funder(workbook, rows), filename)


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
    """UTF-8 BOM, header, one line per allocation, the totals in all and by status: what French
    spreadsheet users open with a double click (semicolon separator, decimal comma, dd/mm/yyyy
    dates). Lines come in batches of CSV_BATCH."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    lines = ["\ufeff", writer.writerow(headers())]
    totals = Totals()
    dates: dict[datetime.date, str] = {}
    for row in rows:
        values = list(row.cells)
        for index in AMOUNT_COLUMNS:
            value = values[index]
            values[index] = "" if value is None else f"{value:.2f}".replace(".", ",")
        for index in DATE_COLUMNS:
            value = values[index]
            if value is None:
                values[index] = ""
            else:
                text = dates.get(value)
                if text is None:
                    text = dates[value] = french_date(value)
                values[index] = text
        lines.append(writer.writerow(values))
        totals.add(row)
        if len(lines) >= CSV_BATCH:
            yield "".join(lines)
            lines = []
    status_labels = dict(FundingStatus.choices)
    for label, status, amounts in totals.lines():
        line = [""] * COLUMN_COUNT
        line[TOTAL_LABEL_COLUMN] = label
        if status is not None:
            line[STATUS_COLUMN] = str(status_labels[status])
        for index, value in zip(AMOUNT_COLUMNS, amounts, strict=True):
            line[index] = french_decimal(value)
        lines.append(writer.writerow(line))
    yield "".join(lines)


def csv_response(allocations: QuerySet, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_lines(export_rows(export_order(allocations)))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
