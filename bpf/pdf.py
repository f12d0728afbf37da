"""The PDF export: an A4 document laid out like the Cerfa's sections (WeasyPrint)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone

from bpf import labels
from bpf.files import CONTENT_TYPES, ExportFile, contents_note, file_name
from bpf.rows import form_sections

if TYPE_CHECKING:
    from weasyprint import Document

    from bpf.report import BpfReport

STYLESHEET = Path(__file__).resolve().parent / "pdf.css"


def pdf_html(report: BpfReport) -> str:
    return render_to_string(
        "bpf/pdf.html",
        {
            "report": report,
            "titles": labels.section_titles(report.form),
            "f_columns": labels.F_COLUMNS,
            "e_labels": labels.E_LABELS,
            "e_columns": labels.E_COLUMNS,
            "sections": form_sections(report),
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
