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
from bpf.files import CONTENT_TYPES
from bpf.models import BpfFiling
from bpf.pdf import pdf_document
from bpf.services import filing_create
from bpf.snapshots import latest_filing, report_from_filing, snapshot_of
from tests.bpf.conftest import build_worked_example
from tests.conftest import make_learner

pytestmark = pytest.mark.django_db


def pdf_text(report) -> str:
    """The text WeasyPrint laid out on the pages (pypdf is not available to read the bytes)."""
    words: list[str] = []
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
    report = compute_bpf(worked_example.organization, 2025)
    workbook = load_workbook(io.BytesIO(export(report, "xlsx").content))
    # The form and its checks: the rows behind the figures are the "BPF detail" export.
    assert workbook.sheetnames == ["BPF", "Contrôles"]
    bpf = {row[0]: row[2] for row in workbook["BPF"].iter_rows(min_row=2, values_only=True)}
    assert bpf["C.total"] == 10469 and bpf["C.e"] == 1100 and bpf["C.1"] == 501
    assert bpf["F1.total.hours"] == 186 and bpf["G.learners"] == 1
    assert bpf["form"] == "Cerfa n° 10443*17"
    checks = list(workbook["Contrôles"].iter_rows(min_row=2, values_only=True))
    assert ("unclassified_trainees", "error", 1) in [row[:3] for row in checks]


@pytest.fixture
def example(organization):
    organization.fiscal_year_start_month = 7
    organization.save()
    return build_worked_example(organization)


def _detail(admin_client, year, **params):
    response = admin_client.get(reverse("bpf:detail", args=[year]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES["xlsx"]
    content = b"".join(response.streaming_content)
    return (
        response,
        load_workbook(io.BytesIO(content)),
        load_workbook(io.BytesIO(content), data_only=True),
    )


def test_bpf_detail_lists_the_rows_behind_every_figure(admin_client, example):
    learner = example.learners["L1"]
    learner.first_name = '=HYPERLINK("http://x")'
    learner.save()
    response, workbook, values = _detail(admin_client, 2025)
    assert 'filename="bpf-formations-lumiere-2025-detail.xlsx"' in response["Content-Disposition"]
    assert workbook.sheetnames == ["Détail C", "Détail F"]
    sheet = workbook["Détail C"]
    detail_c = list(sheet.iter_rows(values_only=True))
    assert detail_c[0][0] == "Ligne" and sheet.freeze_panes == "A2"
    rows_c = detail_c[1:11]  # the counted allocations of FY 2025
    assert sum(row[11] for row in rows_c) == pytest.approx(10467.89, abs=0.01)
    assert '\'=HYPERLINK("http://x")' in " ".join(str(row[3]) for row in rows_c)
    assert sheet["F2"].is_date and sheet["I2"].number_format == '#,##0.00 "€"'
    # In French whatever the user's language, as every BPF file.
    assert {row[2] for row in rows_c} == {"Accordé", "Payé"}
    assert "Autofinancé" in {row[1] for row in rows_c}
    straddling = [row for row in rows_c if row[9] != row[10]]
    assert {(row[0], row[9], row[10], float(row[11])) for row in straddling} == {
        ("e", 8, 15, 800.0),
        ("h", 8, 15, 533.33),
        ("9", 8, 15, 400.0),
    }
    # After an empty row, the SUBTOTAL of the counted amounts (it follows the filter).
    assert detail_c[12][0] == "Total (lignes affichées)"
    assert detail_c[12][11] == "=SUBTOTAL(9,L2:L11)"
    assert values["Détail C"]["L13"].value == pytest.approx(10467.89, abs=0.01)
    assert sheet.auto_filter.ref == "A1:M11"
    assert {row[12] for row in rows_c} == {"jours"}  # no schedule: shared by calendar days

    detail_f = list(workbook["Détail F"].iter_rows(values_only=True))
    rows_f = detail_f[1:10]  # 8 in F, 1 in G
    assert sorted(row[1] for row in rows_f if row[0] == "F") == [
        "a",
        "a",
        "b",
        "b",
        "c",
        "d",
        "e",
        "unclassified",
    ]
    assert [row[0] for row in rows_f].count("G") == 1
    assert detail_f[11][13] == "=SUBTOTAL(9,N2:N10)"


def test_bpf_detail_of_one_figure_from_its_drill_down(admin_client, example):
    drill = admin_client.get(reverse("bpf:drill", args=[2025, "C.e"]))
    link = reverse("bpf:detail", args=[2025]) + "?key=C.e"
    assert link in drill.text
    response, workbook, _values = _detail(admin_client, 2025, key="C.e")
    assert (
        'filename="bpf-formations-lumiere-2025-detail-C.e.xlsx"' in response["Content-Disposition"]
    )
    assert workbook.sheetnames == ["Détail C"]
    rows = [row for row in workbook["Détail C"].iter_rows(min_row=2, values_only=True) if row[1]]
    assert {row[0] for row in rows} == {"e"}
    assert round(sum(row[11] for row in rows)) == 1100  # the figure of line e
    _response, workbook, _values = _detail(admin_client, 2025, key="F1.a")
    assert workbook.sheetnames == ["Détail F"]
    rows = [row for row in workbook["Détail F"].iter_rows(min_row=2, values_only=True) if row[2]]
    assert [row[1] for row in rows] == ["a", "a"]
    report = admin_client.get(reverse("bpf:report"), {"year": 2025})
    assert reverse("bpf:detail", args=[2025]) in report.text


def test_bpf_detail_refuses_unknown_keys_and_years(admin_client, example):
    url = reverse("bpf:detail", args=[2025])
    assert admin_client.get(url, {"key": "Z.9"}).status_code == 404
    assert admin_client.get(reverse("bpf:detail", args=[1990])).status_code == 404


def test_bpf_detail_refused_to_trainers(trainer_client, example):
    assert trainer_client.get(reverse("bpf:detail", args=[2025])).status_code == 403


def test_bpf_detail_of_another_organisation_is_404(other_admin_client, example):
    assert other_admin_client.get(reverse("bpf:detail", args=[2025])).status_code == 404


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
