"""The BPF files: JSON, CSV, XLSX (bpf/xlsx.py) and PDF (bpf/pdf.py), all made from one `BpfReport`.

Each export says what it contains: the current figures (computed when the file was made) or the
figures as filed (a stored snapshot, with who filed them and when).
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING

from django.utils import translation

from bpf.computation import compute_bpf
from bpf.files import CONTENT_TYPES, ExportFile, contents_note, file_name, neutralise
from bpf.pdf import export_pdf
from bpf.rows import flat_rows
from bpf.snapshots import as_json
from bpf.xlsx import export_xlsx

if TYPE_CHECKING:
    from bpf.report import BpfReport
    from certeef.models import Organization

# The files are for the French administration: their checks and every word in them are French,
# whatever the language of the user who asks for them.
EXPORT_LANGUAGE = "fr"


def report_for_export(organization: Organization, year: int) -> BpfReport:
    """The current report with its checks' messages in French (they are built when computed)."""
    with translation.override(EXPORT_LANGUAGE):
        return compute_bpf(organization, year)


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
        # Labels are ours (flat_rows gives them without the form's leading "- "): only the
        # values, which may be user text, are neutralised.
        writer.writerow([code, label, "" if value is None else neutralise(value)])
    # UTF-8 with a byte-order mark: spreadsheet programs then read the accents right.
    return ExportFile(
        buffer.getvalue().encode("utf-8-sig"), CONTENT_TYPES["csv"], file_name(report, "csv")
    )


def export(report: BpfReport, file_format: str) -> ExportFile:
    with translation.override(EXPORT_LANGUAGE):
        return _export(report, file_format)


def _export(report: BpfReport, file_format: str) -> ExportFile:
    if file_format == "json":
        return export_json(report)
    if file_format == "csv":
        return export_csv(report)
    if file_format == "xlsx":
        return export_xlsx(report)
    if file_format == "pdf":
        return export_pdf(report)
    raise ValueError(file_format)
