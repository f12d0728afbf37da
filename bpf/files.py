"""What every BPF file shares: its type, its name, the note saying what it contains, and the
neutralisation of text a spreadsheet would run as a formula."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from bpf.report import BpfReport

FORMATS = ("pdf", "xlsx", "csv", "json")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise[T](value: T) -> T | str:
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
