"""The XLSX export: the form's lines, every counted allocation and enrollment, and the checks.

Written in openpyxl's write-only mode (rows streamed), so that a large organisation's detail
sheets do not have to fit in memory as cell objects.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from openpyxl import Workbook

from bpf import drill
from bpf.files import CONTENT_TYPES, ExportFile, contents_note, file_name, neutralise
from bpf.queries import counted_enrollments
from bpf.report import C_DETAIL_CODES
from bpf.rows import flat_rows
from bpf.rules import F1_RULES, OBJECTIVE_F3
from certeef.models import Organization
from training.models import Delivery

if TYPE_CHECKING:
    from bpf.report import BpfReport

# Rows fetched per database round trip for the detail sheets.
CHUNK = 2000
# The detail sheets always list today's data, even in the export of a filed snapshot.
CURRENT_DATA_NOTE = "Détail des données actuelles : il peut différer des chiffres déclarés."


def _text(value):
    """User text (names, references) may start like a formula: neutralise it."""
    return neutralise(value) if isinstance(value, str) else value


def _bpf_sheet(workbook: Workbook, report: BpfReport) -> None:
    sheet = workbook.create_sheet("BPF")
    sheet.append(["Code", "Libellé", "Valeur"])
    sheet.append(["form", "Formulaire", f"Cerfa n° {report.form}"])
    sheet.append(["contents", "Contenu", contents_note(report)])
    for code, label, value in flat_rows(report):
        sheet.append([code, label, _text(value)])


def _detail_sheet(workbook: Workbook, report: BpfReport, title: str):
    sheet = workbook.create_sheet(title)
    if report.filing is not None:
        sheet.append([CURRENT_DATA_NOTE])
    return sheet


def _detail_c_sheet(workbook: Workbook, report: BpfReport, organization: Organization) -> None:
    sheet = _detail_sheet(workbook, report, "Détail C")
    sheet.append(
        [
            "Ligne",
            "Type",
            "Statut",
            "Apprenant",
            "Session",
            "Début",
            "Fin",
            "Porteur",
            "Montant approuvé",
            "Jours dans l'exercice",
            "Jours de la session",
            "Montant compté",
        ]
    )
    allocations = drill.allocations_for(organization, report, C_DETAIL_CODES)
    for row in drill.allocation_rows(report, allocations.iterator(chunk_size=CHUNK)):
        allocation = row.allocation
        session = allocation.session
        sheet.append(
            [
                row.line,
                allocation.get_funding_type_display(),
                allocation.get_status_display(),
                _text(allocation.learner.full_name),
                _text(str(session)),
                session.start_date,
                session.end_date,
                _text(str(allocation.carrier)),
                allocation.approved_amount,
                row.inside,
                row.whole,
                round(row.counted, 2),
            ]
        )


def _detail_f_sheet(workbook: Workbook, report: BpfReport, organization: Organization) -> None:
    sheet = _detail_sheet(workbook, report, "Détail F")
    sheet.append(
        [
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
            "Jours dans l'exercice",
            "Jours de la session",
            "Heures comptées",
        ]
    )
    enrollments = (
        counted_enrollments(organization, report.start, report.end)
        .select_related("learner", "session__course")
        .order_by("session__start_date", "session_id", "learner__last_name", "pk")
    )
    for row in drill.enrollment_rows(report, enrollments.iterator(chunk_size=CHUNK)):
        enrollment = row.enrollment
        session = enrollment.session
        in_g = session.delivery == Delivery.SUBCONTRACTED_IN
        sheet.append(
            [
                "G" if in_g else "F",
                "" if in_g else enrollment.f1_line,
                "" if in_g else f"{enrollment.f1_rule} — {F1_RULES[enrollment.f1_rule]}",
                "" if in_g else OBJECTIVE_F3.get(session.course.objective, "unclassified"),
                session.course.nsf_code,
                _text(enrollment.learner.full_name),
                _text(str(session)),
                session.start_date,
                session.end_date,
                "oui" if session.delivery == Delivery.SUBCONTRACTED_OUT else "non",
                enrollment.attended_hours,
                row.inside,
                row.whole,
                round(row.hours, 2),
            ]
        )


def _checks_sheet(workbook: Workbook, report: BpfReport) -> None:
    sheet = workbook.create_sheet("Contrôles")
    sheet.append(["Code", "Gravité", "Nombre", "Message"])
    for check in report.checks:
        sheet.append([check.code, check.severity, check.count, _text(check.message)])


def export_xlsx(report: BpfReport) -> ExportFile:
    workbook = Workbook(write_only=True)
    _bpf_sheet(workbook, report)
    organization = Organization.objects.get(pk=report.organization_id)
    _detail_c_sheet(workbook, report, organization)
    _detail_f_sheet(workbook, report, organization)
    _checks_sheet(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return ExportFile(buffer.getvalue(), CONTENT_TYPES["xlsx"], file_name(report, "xlsx"))
