"""PDF and XLSX exports, opened back and checked for key figures."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from weasyprint.formatting_structure.boxes import TextBox

from bpf.computation import compute_bpf
from bpf.exports import export
from bpf.models import BpfFiling
from bpf.pdf import pdf_document
from bpf.services import filing_create
from bpf.snapshots import latest_filing, report_from_filing, snapshot_of
from tests.bpf.conftest import build_worked_example
from tests.conftest import make_learner

pytestmark = pytest.mark.django_db


def pdf_text(report) -> str:
    """The text WeasyPrint laid out on the pages (pypdf is not available to read the bytes)."""
    words = []
    for page in pdf_document(report).pages:
        words.extend(box.text for box in page._page_box.descendants() if isinstance(box, TextBox))
    return " ".join(words)


def test_pdf_is_an_a4_document_with_every_section_and_figure(worked_example):
    report = compute_bpf(worked_example.organization, 2025)
    exported = export(report, "pdf")
    assert exported.content.startswith(b"%PDF")
    assert exported.filename == "bpf-atelier-juillet-2025.pdf"
    document = pdf_document(report)
    first = document.pages[0]
    assert (round(first.width * 25.4 / 96), round(first.height * 25.4 / 96)) == (210, 297)
    text = pdf_text(report)
    for expected in (
        "Cerfa n° 10443*17",
        "Atelier Juillet",
        "du 01/07/2024 au 30/06/2025",
        "IDENTIFICATION DE L'ORGANISME DE FORMATION",
        "du compte personnel de formation",
        "1 100 €",
        "10 469 €",
        "TOTAL (a + b + c + d + e)",
        "186",
        "Autres spécialités",
        "Chiffres actuels",
        "Erreur (1)",  # the unclassified learner: failing checks are printed
        "document généré le",  # the footer
    ):
        assert expected in text, expected


def test_xlsx_opened_back(worked_example):
    learner = worked_example.learners["L1"]
    learner.first_name = '=HYPERLINK("http://x")'
    learner.save()
    report = compute_bpf(worked_example.organization, 2025)
    workbook = load_workbook(io.BytesIO(export(report, "xlsx").content))
    assert workbook.sheetnames == ["BPF", "Détail C", "Détail F", "Contrôles"]
    bpf = {row[0]: row[2] for row in workbook["BPF"].iter_rows(min_row=2, values_only=True)}
    assert bpf["C.total"] == 10469 and bpf["C.e"] == 1100 and bpf["C.1"] == 501
    assert bpf["F1.total.hours"] == 186 and bpf["G.learners"] == 1
    assert bpf["form"] == "Cerfa n° 10443*17"

    detail_c = list(workbook["Détail C"].iter_rows(values_only=True))
    assert detail_c[0][0] == "Ligne"
    assert len(detail_c) - 1 == 10  # the counted allocations of FY 2025
    assert sum(row[11] for row in detail_c[1:]) == pytest.approx(10467.89, abs=0.01)
    assert '\'=HYPERLINK("http://x")' in " ".join(str(row[3]) for row in detail_c[1:])
    straddling = [row for row in detail_c[1:] if row[9] != row[10]]
    assert {(row[0], row[9], row[10], float(row[11])) for row in straddling} == {
        ("e", 8, 15, 800.0),
        ("h", 8, 15, 533.33),
        ("9", 8, 15, 400.0),
    }

    detail_f = list(workbook["Détail F"].iter_rows(values_only=True))
    assert len(detail_f) - 1 == 9  # 8 in F, 1 in G
    assert sorted(row[1] for row in detail_f[1:] if row[0] == "F") == [
        "a",
        "a",
        "b",
        "b",
        "c",
        "d",
        "e",
        "unclassified",
    ]
    checks = list(workbook["Contrôles"].iter_rows(min_row=2, values_only=True))
    assert ("unclassified_trainees", "error", 1) in [row[:3] for row in checks]


def test_filed_exports_say_so(worked_example, admin_user):
    org = worked_example.organization
    BpfFiling.objects.create(
        organization=org,
        fiscal_year=2025,
        snapshot=snapshot_of(compute_bpf(org, 2025)),
        filed_by=admin_user,
    )
    filed = report_from_filing(latest_filing(org, 2025))
    assert "Chiffres déclarés le" in pdf_text(filed)
    workbook = load_workbook(io.BytesIO(export(filed, "xlsx").content))
    bpf = {row[0]: row[2] for row in workbook["BPF"].iter_rows(min_row=2, values_only=True)}
    assert bpf["contents"].startswith("Chiffres déclarés le") and bpf["C.total"] == 10469
    assert workbook["Détail C"]["A1"].value.startswith("Détail des données actuelles")
    csv_text = export(filed, "csv").content.decode("utf-8-sig")
    assert "contents;Contenu;Chiffres déclarés le" in csv_text


def test_pdf_and_xlsx_downloads(admin_client, organization):
    organization.fiscal_year_start_month = 7
    organization.save()
    build_worked_example(organization)
    make_learner(organization)
    pdf = admin_client.get(reverse("bpf:export", args=[2025, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = admin_client.get(reverse("bpf:export", args=[2025, "xlsx"]))
    assert 'filename="bpf-formations-lumiere-2025.xlsx"' in xlsx["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert workbook.sheetnames[0] == "BPF"


@pytest.mark.parametrize("file_format", ["xlsx", "pdf", "csv", "json"])
def test_a_filed_report_exports_after_the_organisation_changes_its_slug(
    admin_client, admin_user, organization, file_format, tmp_path
):
    organization.fiscal_year_start_month = 7
    organization.save()
    build_worked_example(organization)
    filing_create(organization=organization, year=2025, filed_by=admin_user)
    organization.slug = "lumiere-formations"
    organization.save()

    response = admin_client.get(reverse("bpf:export", args=[2025, file_format]), {"filed": "1"})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert f'filename="bpf-lumiere-formations-2025.{file_format}"' in disposition
    content = b"".join(response.streaming_content)
    if file_format == "xlsx":
        workbook = load_workbook(io.BytesIO(content))
        bpf = {row[0]: row[2] for row in workbook["BPF"].iter_rows(min_row=2, values_only=True)}
        assert bpf["C.total"] == 10469
        assert len(list(workbook["Détail C"].iter_rows())) == 2 + 10  # note, header, rows
    elif file_format == "pdf":
        assert content.startswith(b"%PDF")
    elif file_format == "csv":
        assert "Chiffres déclarés le" in content.decode("utf-8-sig")
    else:
        assert json.loads(content)["C"]["total"] == 10469

    output = tmp_path / f"filed.{file_format}"
    call_command(
        "export_bpf",
        organization="lumiere-formations",
        year=2025,
        file_format=file_format,
        output=str(output),
        filed=True,
        stdout=io.StringIO(),
    )
    assert output.read_bytes()[:4] == content[:4]
