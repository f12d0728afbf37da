"""The XLSX export: the form's lines and the checks.

The rows behind the figures (every counted allocation and enrollment) are a separate, streamed
export, "BPF detail" (bpf/detail.py): in this file they made a 13-second, 135 MB export at
100 000 allocations (issue 17), for a form of a hundred lines.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from openpyxl import Workbook

from bpf.files import CONTENT_TYPES, ExportFile, contents_note, file_name, neutralise
from bpf.rows import flat_rows

if TYPE_CHECKING:
    from bpf.report import BpfReport


def _text[T](value: T) -> T | str:
    """User text (names, references) may start like a formula: neutralise it."""
    return neutralise(value) if isinstance(value, str) else value


def _bpf_sheet(workbook: Workbook, report: BpfReport) -> None:
    sheet = workbook.create_sheet("BPF")
    sheet.append(["Code", "Libellé", "Valeur"])
    sheet.append(["form", "Formulaire", f"Cerfa n° {report.form}"])
    sheet.append(["contents", "Contenu", contents_note(report)])
    for code, label, value in flat_rows(report):
        sheet.append([code, label, _text(value)])


def _checks_sheet(workbook: Workbook, report: BpfReport) -> None:
    sheet = workbook.create_sheet("Contrôles")
    sheet.append(["Code", "Gravité", "Nombre", "Message"])
    for check in report.checks:
        sheet.append([check.code, check.severity, check.count, _text(check.message)])


def export_xlsx(report: BpfReport) -> ExportFile:
    workbook = Workbook(write_only=True)
    _bpf_sheet(workbook, report)
    _checks_sheet(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return ExportFile(buffer.getvalue(), CONTENT_TYPES["xlsx"], file_name(report, "xlsx"))
