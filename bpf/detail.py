"""The "BPF detail" export: the rows behind a fiscal year's figures, or behind one figure.

Sheet "Détail C": every counted allocation of the year with its BPF line and the share of its
approved amount counted in the year; sheet "Détail F": every counted enrollment (section F, or G
when subcontracted to us) with its F-1 line, the rule that chose it, and the share of its hours
counted in the year. Each sheet ends with the SUBTOTAL of what it counts (it follows the
spreadsheet's filter), so that a line of the form can be checked by filtering on it.

The BPF XLSX itself carries the form and its checks only: at 100 000 allocations these rows made
it a 13-second, 135 MB file (issue 17). Here they are streamed: read from the database in chunks,
written row by row to a temporary file by XlsxWriter in constant memory, then sent in chunks.
The detail always lists today's data, even beside a filed snapshot. In French, like every file
made for the administration.
"""

from __future__ import annotations

import datetime
import tempfile
from typing import TYPE_CHECKING

from django.http import FileResponse

from attendance.selectors import FROM_ATTENDANCE, FROM_SESSION, FROM_TYPED
from bpf import drill
from bpf.counted_rows import counted_enrollments
from bpf.files import CONTENT_TYPES, neutralise
from bpf.report import C_DETAIL_CODES
from bpf.rules import F1_RULES, OBJECTIVE_F3, SCHEDULED_MINUTES
from funding.export_xlsx import excel_date, new_workbook
from training.models import Delivery

if TYPE_CHECKING:
    from collections.abc import Sequence
    from decimal import Decimal

    from xlsxwriter import Workbook
    from xlsxwriter.format import Format

    from bpf.report import BpfReport
    from certeef.models import Organization

# What a cell holds (None or "": left empty).
type Cell = str | int | Decimal | datetime.date | None

CHUNK = 2000
EURO_FORMAT = '#,##0.00 "€"'
HOURS_FORMAT = "#,##0.00"
DATE_FORMAT = "DD/MM/YYYY"

C_HEADERS = (
    "Ligne",
    "Type",
    "Statut",
    "Apprenant",
    "Session",
    "Début",
    "Fin",
    "Porteur",
    "Montant approuvé",
    "Part dans l'exercice",
    "Part de la session",
    "Montant compté",
    "Part en",
)
C_WIDTHS = (6, 30, 10, 24, 36, 11, 11, 28, 14, 10, 10, 14, 18)
F_HEADERS = (
    "Section",
    "Ligne F-1",
    "Règle F-1",
    "F-3",
    "NSF",
    "Apprenant",
    "Session",
    "Début",
    "Fin",
    "Sous-traitée (F-2)",
    "Heures suivies",
    "Part dans l'exercice",
    "Part de la session",
    "Heures comptées",
    "Part en",
    "Origine des heures",
)
F_WIDTHS = (8, 10, 40, 14, 6, 24, 36, 11, 11, 10, 10, 10, 10, 12, 18, 24)
# Where a learner's hours come from (BPF.md, section F), in the exports' French.
HOURS_SOURCES = {
    FROM_ATTENDANCE: "émargement",
    FROM_TYPED: "saisies sur l'inscription",
    FROM_SESSION: "durée de la session",
}
TOTAL_LABEL = "Total (lignes affichées)"


def _share(row: drill.AllocationRow | drill.EnrollmentRow) -> list[Cell]:
    """A row's share of the year (the two columns before the counted figure, then its unit):
    calendar days, or scheduled hours for a straddling session with a schedule."""
    if row.unit == SCHEDULED_MINUTES:
        return [row.inside_hours, row.whole_hours, "heures programmées"]
    return [row.inside, row.whole, "jours"]


def detail_filename(report: BpfReport, key: str | None) -> str:
    suffix = f"-{key}" if key else ""
    return f"bpf-{report.organization.slug}-{report.year}-detail{suffix}.xlsx"


def _text[T](value: T) -> T | str:
    return neutralise(value) if isinstance(value, str) else value


class _Writer:
    """One sheet: bold frozen header, then rows cell by cell (dates as dates, amounts as
    numbers), then the SUBTOTAL of one column under an auto-filter over the rows."""

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        headers: Sequence[str],
        widths: Sequence[float],
        formats: dict[str, Format],
    ) -> None:
        self.sheet = workbook.add_worksheet(title)
        self.formats = formats
        self.sheet.freeze_panes(1, 0)
        for index, width in enumerate(widths):
            self.sheet.set_column(index, index, width)
        for index, text in enumerate(headers):
            self.sheet.write_string(0, index, text, formats["bold"])
        self.columns = len(headers)
        self.row = 1
        self.total = 0

    def append(self, values: Sequence[Cell], formats: dict[int, str]) -> None:
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                self.sheet.write_string(self.row, column, _text(value))
            elif isinstance(value, datetime.date):  # the columns formatted "date"
                self.sheet.write_number(self.row, column, excel_date(value), self.formats["date"])
            else:
                self.sheet.write_number(
                    self.row, column, float(value), self.formats.get(formats.get(column, ""))
                )
        self.row += 1

    def close(self, total_column: int, total: Decimal | int, number_format: str) -> None:
        last = self.row - 1
        self.sheet.autofilter(0, 0, last, self.columns - 1)
        row = self.row + 1
        self.sheet.write_string(row, 0, TOTAL_LABEL, self.formats["bold"])
        letter = chr(ord("A") + total_column)
        formula = f"=SUBTOTAL(9,{letter}2:{letter}{last + 1})" if last else "=0"
        self.sheet.write_formula(
            row, total_column, formula, self.formats[number_format], float(total)
        )


def _c_sheet(
    workbook: Workbook,
    formats: dict[str, Format],
    organization: Organization,
    report: BpfReport,
    lines: tuple[str, ...],
) -> None:
    writer = _Writer(workbook, "Détail C", C_HEADERS, C_WIDTHS, formats)
    allocations = drill.allocations_for(organization, report, lines)
    cell_formats = {5: "date", 6: "date", 8: "euro", 11: "euro"}
    total: Decimal | int = 0
    for row in drill.iter_allocation_rows(report, allocations.iterator(chunk_size=CHUNK)):
        allocation = row.allocation
        session = allocation.session
        counted = round(row.counted, 2)
        total += counted
        writer.append(
            (
                row.line,
                allocation.get_funding_type_display(),
                allocation.get_status_display(),
                allocation.learner.full_name,
                str(session),
                session.start_date,
                session.end_date,
                str(allocation.carrier),
                allocation.approved_amount,
                *_share(row)[:2],
                counted,
                _share(row)[2],
            ),
            cell_formats,
        )
    writer.close(11, total, "bold_euro")


def _f_sheet(
    workbook: Workbook,
    formats: dict[str, Format],
    organization: Organization,
    report: BpfReport,
    key: str | None,
) -> None:
    writer = _Writer(workbook, "Détail F", F_HEADERS, F_WIDTHS, formats)
    enrollments = counted_enrollments(organization, report.start, report.end)
    if key is not None:
        enrollments = enrollments.filter(drill.enrollment_filter(report, key))
    enrollments = enrollments.select_related("learner", "session__course").order_by(
        "session__start_date", "session_id", "learner__last_name", "pk"
    )
    cell_formats = {7: "date", 8: "date", 10: "hours", 13: "hours"}
    total: Decimal | int = 0
    for row in drill.iter_enrollment_rows(report, enrollments.iterator(chunk_size=CHUNK)):
        enrollment = row.enrollment
        session = enrollment.session
        in_g = session.delivery == Delivery.SUBCONTRACTED_IN
        hours = round(row.hours, 2)
        total += hours
        writer.append(
            (
                "G" if in_g else "F",
                "" if in_g else enrollment.f1_line,
                "" if in_g else f"{enrollment.f1_rule} — {F1_RULES[enrollment.f1_rule]}",
                "" if in_g else OBJECTIVE_F3.get(session.course.objective, "unclassified"),
                session.course.nsf_code,
                enrollment.learner.full_name,
                str(session),
                session.start_date,
                session.end_date,
                "oui" if session.delivery == Delivery.SUBCONTRACTED_OUT else "non",
                enrollment.attended_hours,
                *_share(row)[:2],
                hours,
                _share(row)[2],
                HOURS_SOURCES[row.source],
            ),
            cell_formats,
        )
    writer.close(13, total, "bold_hours")


def detail_response(
    organization: Organization, report: BpfReport, key: str | None = None
) -> FileResponse:
    """The whole year's detail (both sheets), or the rows behind one drill-down `key` (the
    sheet it belongs to). `key` must be valid (drill.valid_key)."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    workbook = new_workbook(output)
    bold = workbook.add_format({"bold": True})
    formats = {
        "bold": bold,
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "euro": workbook.add_format({"num_format": EURO_FORMAT}),
        "hours": workbook.add_format({"num_format": HOURS_FORMAT}),
        "bold_euro": workbook.add_format({"num_format": EURO_FORMAT, "bold": True}),
        "bold_hours": workbook.add_format({"num_format": HOURS_FORMAT, "bold": True}),
    }
    if key is None or drill.is_allocation_key(key):
        lines = C_DETAIL_CODES if key is None else drill.c_lines_of(key)
        _c_sheet(workbook, formats, organization, report, lines)
    if key is None or not drill.is_allocation_key(key):
        _f_sheet(workbook, formats, organization, report, key)
    workbook.close()
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=detail_filename(report, key),
        content_type=CONTENT_TYPES["xlsx"],
    )
