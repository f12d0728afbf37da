"""The Funding page's XLSX per funder: who actually pays (`funding/funders.py`), funder by funder.

One sheet per OPCO and per institutional funder (France Travail, the Caisse des Dépôts for CPF…),
one shared sheet with a section per company (and per individual) paying directly, and a summary
of what each funder has pending, approved and paid.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name

from funding.export_rows import (
    APPROVED_COLUMN,
    STATUS_COLUMN,
    STATUS_ORDER,
    Totals,
    export_rows,
    neutralise_formula,
)
from funding.export_xlsx import Formats, Sheet, formula_text, sheet_ref, xlsx_file_response
from funding.funders import Funder, FunderKind, by_funder_order, funder_kind_labels
from funding.models import FundingStatus

if TYPE_CHECKING:
    from collections.abc import Iterable
    from decimal import Decimal

    import xlsxwriter
    from django.db.models import QuerySet
    from django.http import FileResponse

    from funding.export_rows import ExportRow


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
    formats = Formats(workbook)
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

    def close_funder(funder: Funder, sheet: Sheet, funder_totals: Totals) -> None:
        nonlocal summary_row
        shared = funder.kind in FunderKind.SHARED_SHEET
        if shared:
            first, last = sheet.close_section(_("Subtotal %(funder)s") % {"funder": funder.name})
        else:
            first, last = 1, sheet.row - 1
        ref = sheet_ref(sheet.title)
        approved = f"{ref}{sheet.cell_range(APPROVED_COLUMN, first, last, absolute=True)}"
        statuses = f"{ref}{sheet.cell_range(STATUS_COLUMN, first, last, absolute=True)}"
        summary.write_string(summary_row, 0, neutralise_formula(funder.name))
        summary.write_string(summary_row, 1, kind_labels[funder.kind])
        summary.write_string(summary_row, 2, sheet.title)
        summary.write_number(summary_row, 3, funder_totals.count)
        for column, status in enumerate(STATUS_ORDER, start=4):
            summary.write_formula(
                summary_row,
                column,
                f"=SUMIFS({approved},{statuses},{formula_text(str(status_labels[status]))})",
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
    sheet: Sheet | None = None
    sheet_kind: str | None = None
    # The rows come grouped by funder (by_funder_order): one run of rows per funder.
    for funder, funder_rows in itertools.groupby(rows, key=lambda row: row.funder):
        funder_totals = Totals()
        if sheet is None or funder.kind != sheet_kind or funder.kind not in FunderKind.SHARED_SHEET:
            if sheet is not None:
                sheet.close()
            name = (
                kind_labels[funder.kind] if funder.kind in FunderKind.SHARED_SHEET
                else funder.name
            )  # fmt: skip
            sheet = Sheet(workbook, formats, _sheet_title(name, used_titles))
            sheet_kind = funder.kind
        if funder.kind in FunderKind.SHARED_SHEET:
            sheet.open_section(funder.name)
        for row in funder_rows:
            sheet.append(row)
            funder_totals.add(row)
            grand.add(row)
        close_funder(funder, sheet, funder_totals)
    if sheet is not None:
        sheet.close()
    summary.autofilter(0, 0, summary_row - 1, len(summary_headers) - 1)
    summary.write_string(summary_row + 1, 0, _("Total"), formats.bold)
    values: list[int | Decimal] = [
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


def xlsx_by_funder_response(allocations: QuerySet, filename: str) -> FileResponse:
    rows = export_rows(by_funder_order(allocations), with_funders=True)
    return xlsx_file_response(lambda workbook: write_xlsx_by_funder(workbook, rows), filename)
