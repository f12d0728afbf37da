"""The PDF export: an A4 document laid out like the Cerfa's sections (WeasyPrint)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone

from bpf import labels
from bpf.files import CONTENT_TYPES, ExportFile, contents_note, file_name
from bpf.rows import identity_rows, input_rows, section_c_rows, section_f_rows, section_g_rows

if TYPE_CHECKING:
    from weasyprint import Document

    from bpf.report import BpfReport

STYLESHEET = Path(__file__).resolve().parent / "pdf.css"


def pdf_html(report: BpfReport) -> str:
    f_rows = section_f_rows(report)
    inputs = input_rows(report)
    return render_to_string(
        "bpf/pdf.html",
        {
            "report": report,
            "titles": labels.section_titles(report.form),
            "f_columns": labels.F_COLUMNS,
            "e_labels": labels.E_LABELS,
            "e_columns": labels.E_COLUMNS,
            "identity_rows": [row for row in identity_rows(report) if row[0].startswith("A.")],
            "fiscal_year_label": labels.FISCAL_YEAR_LABEL,
            "distance_question": labels.DISTANCE_QUESTION,
            "asks_distance": report.form != labels.FORM_16,
            "c_rows": section_c_rows(report),
            "turnover": inputs[0],
            "d_rows": [row for row in inputs if row[0].startswith("D.")],
            "h_rows": [row for row in inputs if row[0].startswith("H.")],
            "f_sections": [
                (
                    section,
                    labels.section_titles(report.form)[section],
                    [r for r in f_rows if r.section == section],
                )
                for section in ("F1", "F2", "F3", "F4")
            ],
            "g_rows": section_g_rows(report),
            "contents": contents_note(report),
            "generated_at": timezone.localtime(),
        },
    )


def pdf_document(report: BpfReport) -> Document:
    # Imported here: WeasyPrint loads Pango and fonts, which only PDF exports need.
    from weasyprint import CSS, HTML

    return HTML(string=pdf_html(report)).render(stylesheets=[CSS(filename=str(STYLESHEET))])


def export_pdf(report: BpfReport) -> ExportFile:
    content = pdf_document(report).write_pdf()
    return ExportFile(content, CONTENT_TYPES["pdf"], file_name(report, "pdf"))
