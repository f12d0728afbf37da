"""The BPF files: JSON, CSV, XLSX and PDF, all made from one `BpfReport`.

Each export says what it contains: the current figures (computed when the file was made) or the
figures as filed (a stored snapshot, with who filed them and when).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from bpf.rows import flat_rows
from bpf.snapshots import as_json

if TYPE_CHECKING:
    from bpf.computation import BpfReport

FORMATS = ("pdf", "xlsx", "csv", "json")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def file_name(report: BpfReport, extension: str) -> str:
    return f"bpf-{report.organization.slug}-{report.year}.{extension}"


def contents_note(report: BpfReport) -> str:
    """What the file contains, in the form's language (the files are for French filers)."""
    if report.filing is not None:
        filed_at = timezone.localtime(report.filing.filed_at)
        by = f" par {report.filing.filed_by}" if report.filing.filed_by else ""
        return f"Chiffres déclarés le {filed_at:%d/%m/%Y à %H:%M}{by}"
    generated = timezone.localtime()
    return f"Chiffres actuels, calculés le {generated:%d/%m/%Y à %H:%M}"


def json_data(report: BpfReport) -> dict:
    data = as_json(report)
    data["filed"] = (
        {"at": report.filing.filed_at.isoformat(), "by": report.filing.filed_by}
        if report.filing is not None
        else None
    )
    return data


def export_json(report: BpfReport) -> ExportFile:
    content = json.dumps(json_data(report), ensure_ascii=False, indent=2) + "\n"
    return ExportFile(content.encode(), CONTENT_TYPES["json"], file_name(report, "json"))


def export_csv(report: BpfReport) -> ExportFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["code", "label", "value"])
    writer.writerow(["form", "Formulaire", f"Cerfa n° {report.form}"])
    writer.writerow(["contents", "Contenu", neutralise(contents_note(report))])
    for code, label, value in flat_rows(report):
        writer.writerow([code, neutralise(label), "" if value is None else neutralise(value)])
    # UTF-8 with a byte-order mark: spreadsheet programs then read the accents right.
    return ExportFile(
        buffer.getvalue().encode("utf-8-sig"), CONTENT_TYPES["csv"], file_name(report, "csv")
    )


def export(report: BpfReport, file_format: str) -> ExportFile:
    if file_format == "json":
        return export_json(report)
    if file_format == "csv":
        return export_csv(report)
    if file_format == "xlsx":
        from bpf.xlsx import export_xlsx

        return export_xlsx(report)
    if file_format == "pdf":
        from bpf.pdf import export_pdf

        return export_pdf(report)
    raise ValueError(file_format)
