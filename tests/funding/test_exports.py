from __future__ import annotations

import csv
import datetime
import io
import re
import tracemalloc
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from companies.models import Opco
from funding import export_csv, export_rows, export_xlsx
from funding.export_by_funder import xlsx_by_funder_response
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)
from training.changes import refresh_sessions

pytestmark = pytest.mark.django_db

# The file names carry the organisation's date (Europe/Paris), not the machine's (UTC here):
# between 23:00 and 01:00 UTC they differ.
TODAY = timezone.localdate()


def body(response) -> bytes:
    # The test client closes the response once its content is consumed.
    return b"".join(response.streaming_content)


def workbook_of(response):
    return load_workbook(io.BytesIO(body(response)))


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


@pytest.fixture
def mixed(organization):
    """A session funded by CPF (approved, paid) and an OPCO (approved), plus a pending
    France Travail allocation in a later session."""
    course = make_course(organization, title="Comptabilité", price=Decimal("2000.00"))
    session = make_session(
        organization,
        course,
        reference="CPT-01",
        start_date=datetime.date(2025, 3, 3),
        end_date=datetime.date(2025, 3, 7),
    )
    acme = make_company(organization, name="Acme")
    alice = make_learner(organization, first_name="Alice", last_name="Martin", employer=acme)
    make_individual(alice)
    enrollment = make_enrollment(session, alice)
    cpf = make_allocation(
        enrollment,
        amount="1234.56",
        status=FundingStatus.PAID,
        paid_on=datetime.date(2025, 4, 15),
        remittance_reference="=CDC-VIR-0415",
        cpf_case_number="12345678901",
        requested_amount=Decimal("1500.00"),
    )
    opco = make_allocation(
        enrollment,
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        carrier=acme,
        amount="765.44",
        funder_reference="ATLAS-2025-001",
    )
    later = make_session(
        organization,
        course,
        reference="CPT-02",
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2025, 9, 2),
    )
    bruno = make_learner(organization, first_name="Bruno", last_name="Petit")
    ft = make_allocation(
        make_enrollment(later, bruno),
        funding_type=FundingType.FRANCE_TRAVAIL,
        amount="500.00",
        status=FundingStatus.PENDING,
    )
    return {"cpf": cpf, "opco": opco, "ft": ft}


HEADERS = (
    "Learner",
    "Carrier",
    "Company/individual",
    "Type",
    "BPF line",
    "Session",
    "Start date",
    "End date",
    "Course",
    "Status",
    "Requested amount",
    "Approved amount",
    "Counted",
    "CPF case number",
    "Funder reference",
    "Paid on",
    "Remittance reference",
)

_RANGE = r"(?:'((?:[^']|'')+)'!)?\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)"


def _cells(book, sheet, match) -> list:
    title, column, first, _column, last = match.groups()
    target = book[title.replace("''", "'")] if title else sheet
    return [target[f"{column}{row}"].value for row in range(int(first), int(last) + 1)]


def _number(value) -> Decimal:
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    return Decimal(0)


def evaluate(book, sheet, formula: str) -> Decimal:
    """The value of the formulas these exports write, with no filter applied (every row
    visible): SUBTOTAL(9, range), the visible rows of one status, SUMIFS of one status, A+B.
    SUBTOTAL leaves out the cells that are themselves SUBTOTALs, as spreadsheets do."""

    def summed(match) -> Decimal:
        total = Decimal(0)
        for value in _cells(book, sheet, match):
            if isinstance(value, str) and value.startswith("="):
                if "SUBTOTAL(" not in value:
                    total += evaluate(book, sheet, value)
            else:
                total += _number(value)
        return total

    if m := re.fullmatch(rf"=SUBTOTAL\(9,{_RANGE}\)", formula):
        return summed(m)
    if m := re.fullmatch(
        rf"=SUMPRODUCT\(SUBTOTAL\(9,OFFSET\(\$[A-Z]+\$2,ROW\({_RANGE}\)-ROW\(\$[A-Z]+\$2\),0\)\),"
        rf'--\({_RANGE}="([^"]*)"\)\)',
        formula,
    ):
        amounts = _cells(book, sheet, re.match(_RANGE, formula.split("ROW(")[1]))
        statuses = _cells(book, sheet, re.search(_RANGE, formula.split("--(")[1]))
        return sum(
            (_number(a) for a, s in zip(amounts, statuses, strict=True) if s == m.group(11)),
            Decimal(0),
        )
    if m := re.fullmatch(rf'=SUMIFS\({_RANGE},{_RANGE},"([^"]*)"\)', formula):
        amounts = _cells(book, sheet, re.match(_RANGE, formula[len("=SUMIFS(") :]))
        statuses = _cells(book, sheet, re.search(_RANGE, formula.split(",", 1)[1]))
        return sum(
            (_number(a) for a, s in zip(amounts, statuses, strict=True) if s == m.group(11)),
            Decimal(0),
        )
    if m := re.fullmatch(r"=([A-Z]+\d+)\+([A-Z]+\d+)", formula):
        return sum((evaluate_cell(book, sheet, sheet[ref].value) for ref in m.groups()), Decimal(0))
    raise AssertionError(f"unexpected formula {formula}")


def evaluate_cell(book, sheet, value) -> Decimal:
    return evaluate(book, sheet, value) if isinstance(value, str) else _number(value)


def both_books(response):
    """The workbook with its formulas, and with the values the formulas were written with."""
    content = body(response)
    return load_workbook(io.BytesIO(content)), load_workbook(io.BytesIO(content), data_only=True)


def test_xlsx_rows_types_counted_and_layout(admin_client, mixed):
    response = admin_client.get(reverse("funding:export_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == export_xlsx.XLSX_CONTENT_TYPE
    assert (
        f'filename="funding-formations-lumiere-{TODAY:%Y-%m-%d}.xlsx"'
        in (response["Content-Disposition"])
    )
    sheet = workbook_of(response).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    # header, three allocations, an empty row, the total and one total per status
    assert len(rows) == 10 and set(rows[4]) == {None}
    cpf_row = next(row for row in rows[1:] if row[3] == "CPF")
    assert cpf_row[:10] == (
        "Alice Martin",
        "Alice Martin",
        "Individual",
        "CPF",
        "e",
        "CPT-01",
        datetime.datetime(2025, 3, 3),
        datetime.datetime(2025, 3, 7),
        "Comptabilité",
        "Paid",
    )
    assert cpf_row[10] == 1500 and cpf_row[11] == pytest.approx(1234.56)
    assert cpf_row[12] == pytest.approx(1234.56)  # Paid: counted
    assert cpf_row[13:] == (
        "12345678901",
        None,
        datetime.datetime(2025, 4, 15),
        "'=CDC-VIR-0415",  # the transfer's reference, as text even if it looks like a formula
    )
    opco_row = next(row for row in rows[1:] if row[1] == "Acme")
    assert opco_row[2:5] == ("Company", "OPCO – skills development plan", "h")
    assert opco_row[10] is None and opco_row[12] == pytest.approx(765.44)  # Approved: counted
    assert opco_row[14] == "ATLAS-2025-001"
    ft_row = next(row for row in rows[1:] if row[3] == "France Travail")
    assert ft_row[9] == "Pending" and ft_row[11] == 500 and ft_row[12] == 0  # not counted
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:Q4"  # header and data rows, not the totals
    cpf_cells = next(r for r in sheet.iter_rows(min_row=2) if r[3].value == "CPF")
    assert cpf_cells[11].number_format == export_xlsx.EURO_FORMAT
    assert cpf_cells[12].number_format == export_xlsx.EURO_FORMAT
    assert cpf_cells[6].number_format == export_xlsx.DATE_FORMAT
    assert cpf_cells[6].is_date


def test_xlsx_totals_are_subtotal_formulas_over_the_rows_by_status(admin_client, mixed):
    """131 985 € shown where 106 025 € counts (issue 12): the total adds every status, the
    Counted column only Approved and Paid; by status, each figure is the visible rows of that
    status. Each formula is written with its value, and evaluating it over the rows gives it."""
    formulas, values = both_books(admin_client.get(reverse("funding:export_xlsx")))
    sheet, cached = formulas.active, values.active
    totals = {row[0].value: row for row in sheet.iter_rows(min_row=6)}
    assert list(totals) == [
        "Total",
        "Total Pending",
        "Total Approved",
        "Total Paid",
        "Total Rejected",
    ]
    assert [totals["Total"][i].value for i in (10, 11, 12)] == [
        "=SUBTOTAL(9,$K$2:$K$4)",
        "=SUBTOTAL(9,$L$2:$L$4)",
        "=SUBTOTAL(9,$M$2:$M$4)",
    ]
    assert totals["Total Paid"][9].value == "Paid"
    assert totals["Total Paid"][11].value == (
        '=SUMPRODUCT(SUBTOTAL(9,OFFSET($L$2,ROW($L$2:$L$4)-ROW($L$2),0)),--($J$2:$J$4="Paid"))'
    )
    expected = {  # requested, approved, counted
        "Total": ("1500.00", "2500.00", "2000.00"),
        "Total Pending": ("0", "500.00", "0"),
        "Total Approved": ("0", "765.44", "765.44"),
        "Total Paid": ("1500.00", "1234.56", "1234.56"),
        "Total Rejected": ("0", "0", "0"),
    }
    for label, amounts in expected.items():
        row = totals[label]
        for column, amount in zip((10, 11, 12), amounts, strict=True):
            cell = row[column]
            assert cell.number_format == export_xlsx.EURO_FORMAT
            assert evaluate(formulas, sheet, cell.value) == Decimal(amount), (label, column)
            cached_value = cached.cell(row=cell.row, column=cell.column).value
            assert _number(cached_value) == Decimal(amount), (label, column)


def test_csv_is_french_spreadsheet_friendly(admin_client, mixed):
    response = admin_client.get(reverse("funding:export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="funding-formations-lumiere-{TODAY:%Y-%m-%d}.csv"'
        in (response["Content-Disposition"])
    )
    rows = csv_rows(response)
    assert tuple(rows[0]) == HEADERS
    cpf_row = next(row for row in rows[1:] if row[3] == "CPF")
    assert cpf_row == [
        "Alice Martin",
        "Alice Martin",
        "Individual",
        "CPF",
        "e",
        "CPT-01",
        "03/03/2025",
        "07/03/2025",
        "Comptabilité",
        "Paid",
        "1500,00",
        "1234,56",
        "1234,56",
        "12345678901",
        "",
        "15/04/2025",
        "'=CDC-VIR-0415",
    ]
    ft_row = next(row for row in rows[1:] if row[3] == "France Travail")
    assert ft_row[11:13] == ["500,00", "0,00"]
    # Plain values: the total, then one total per status.
    assert [(row[0], row[9], row[10:13]) for row in rows[4:]] == [
        ("Total", "", ["1500,00", "2500,00", "2000,00"]),
        ("Total Pending", "Pending", ["0,00", "500,00", "0,00"]),
        ("Total Approved", "Approved", ["0,00", "765,44", "765,44"]),
        ("Total Paid", "Paid", ["1500,00", "1234,56", "1234,56"]),
        ("Total Rejected", "Rejected", ["0,00", "0,00", "0,00"]),
    ]


def test_csv_streams_in_batches(admin_client, mixed, monkeypatch):
    monkeypatch.setattr(export_csv, "CSV_BATCH", 2)
    chunks = list(admin_client.get(reverse("funding:export_csv")).streaming_content)
    # BOM + header + 1 row, then 2 rows, then the totals
    assert len(chunks) == 3
    assert chunks[0].decode().count("\r\n") == 2


def test_exports_follow_the_current_filter(admin_client, mixed):
    response = admin_client.get(reverse("funding:export_csv"), {"status": "pending"})
    rows = csv_rows(response)
    assert [row[0] for row in rows[1:-5]] == ["Bruno Petit"]
    assert rows[-5][11] == "500,00" and rows[-5][12] == "0,00"
    sheet = workbook_of(
        admin_client.get(reverse("funding:export_xlsx"), {"carrier": "company"})
    ).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, max_row=2, values_only=True)] == ["Acme"]
    assert sheet.auto_filter.ref == "A1:Q2"


def test_exports_never_contain_another_organisations_data(admin_client, mixed, other_organization):
    stranger = make_learner(other_organization, last_name="Secret")
    make_allocation(make_enrollment(make_session(other_organization), stranger))
    for name in ("funding:export_xlsx", "funding:export_by_funder"):
        book = workbook_of(admin_client.get(reverse(name)))
        values = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
        ]
        assert not any("Secret" in value for value in values)
    assert b"Secret" not in body(admin_client.get(reverse("funding:export_csv")))


@pytest.fixture
def funders(organization, mixed):
    """Beside `mixed` (Alice's CPF, paid; Acme's skills plan, approved, Acme without OPCO;
    Bruno's France Travail, pending): two companies of AKTO and one of L'Opcommerce, a company
    paying directly, a self-funded learner, and Transitions Pro."""
    session = mixed["ft"].session
    akto_one = make_company(organization, name="Boulangerie", opco=Opco.AKTO)
    akto_two = make_company(organization, name="Hôtel du Port", opco=Opco.AKTO)
    commerce = make_company(organization, name="Épicerie", opco=Opco.OPCO_COMMERCE)
    direct = make_company(organization, name="=Direct SA")
    made = {}
    for key, company, funding_type, amount, status in (
        ("akto_one", akto_one, FundingType.OPCO_APPRENTICESHIP, "3000.00", FundingStatus.PAID),
        ("akto_two", akto_two, FundingType.OPCO_SKILLS_PLAN, "1200.00", FundingStatus.PENDING),
        ("commerce", commerce, FundingType.OPCO_PRO_A, "800.00", FundingStatus.APPROVED),
        ("direct", direct, FundingType.EMPLOYER, "450.00", FundingStatus.APPROVED),
        ("transition", akto_one, FundingType.TRANSITION_PRO, "2000.00", FundingStatus.REJECTED),
    ):
        learner = make_learner(organization, last_name=key.title(), employer=company)
        made[key] = make_allocation(
            make_enrollment(session, learner),
            funding_type=funding_type,
            carrier=company,
            amount=amount,
            status=status,
            paid_on=datetime.date(2025, 10, 1) if status == FundingStatus.PAID else None,
        )
    chloe = make_learner(organization, first_name="Chloé", last_name="Roux")
    made["self"] = make_allocation(
        make_enrollment(session, chloe),
        funding_type=FundingType.SELF_FUNDED,
        carrier=make_individual(chloe, billing_name="Chloé Roux EI"),
        amount="300.00",
        status=FundingStatus.PAID,
        paid_on=datetime.date(2025, 9, 2),
    )
    return {**mixed, **made}


def test_by_funder_one_sheet_per_funder_a_section_per_payer(admin_client, funders):
    response = admin_client.get(reverse("funding:export_by_funder"))
    assert (
        f"funding-formations-lumiere-{TODAY:%Y-%m-%d}-by-funder.xlsx"
        in (response["Content-Disposition"])
    )
    formulas, values = both_books(response)
    assert formulas.sheetnames == [
        "Summary",
        "AKTO",
        "L'Opcommerce",
        "OPCO not set",
        "Caisse des Dépôts (CPF)",
        "France Travail",
        "Transitions Pro",
        "Companies",
        "Individuals",
    ]
    summary = formulas["Summary"]
    lines = list(summary.iter_rows(values_only=True))
    assert lines[0] == (
        "Funder",
        "Funder kind",
        "Sheet",
        "Allocations",
        "Pending",
        "Approved",
        "Paid",
        "Rejected",
        "Counted",
    )
    assert [line[:4] for line in lines[1:9]] == [
        ("AKTO", "OPCO", "AKTO", 2),
        ("L'Opcommerce", "OPCO", "L'Opcommerce", 1),
        ("Acme", "OPCO not set", "OPCO not set", 1),
        ("Caisse des Dépôts (CPF)", "Caisse des Dépôts (CPF)", "Caisse des Dépôts (CPF)", 1),
        ("France Travail", "France Travail", "France Travail", 1),
        ("Transitions Pro", "Transitions Pro", "Transitions Pro", 1),
        ("'=Direct SA", "Companies", "Companies", 1),
        ("Chloé Roux EI", "Individuals", "Individuals", 1),
    ]
    expected = {  # pending, approved, paid, rejected, counted
        "AKTO": ("1200.00", "0", "3000.00", "0", "3000.00"),
        "L'Opcommerce": ("0", "800.00", "0", "0", "800.00"),
        "Acme": ("0", "765.44", "0", "0", "765.44"),
        "Caisse des Dépôts (CPF)": ("0", "0", "1234.56", "0", "1234.56"),
        "France Travail": ("500.00", "0", "0", "0", "0"),
        "Transitions Pro": ("0", "0", "0", "2000.00", "0"),
        "'=Direct SA": ("0", "450.00", "0", "0", "450.00"),
        "Chloé Roux EI": ("0", "0", "300.00", "0", "300.00"),
        "Total": ("1700.00", "2015.44", "4534.56", "2000.00", "6550.00"),
    }
    cached = values["Summary"]
    checked = set()
    for row in summary.iter_rows(min_row=2):
        if row[0].value not in expected:
            continue
        checked.add(row[0].value)
        for cell, amount in zip(row[4:9], expected[row[0].value], strict=True):
            assert isinstance(cell.value, str) and cell.value.startswith("=")
            assert evaluate(formulas, summary, cell.value) == Decimal(amount), cell.coordinate
            cached_value = cached[cell.coordinate].value
            assert _number(cached_value) == Decimal(amount), cell.coordinate
    assert checked == set(expected)
    total = next(row for row in summary.iter_rows(min_row=2) if row[0].value == "Total")
    assert total[3].value == "=SUBTOTAL(9,D2:D9)" and cached[total[3].coordinate].value == 9
    # The OPCO's quote is doubled in a reference to its sheet.
    commerce = next(row for row in summary.iter_rows(min_row=2) if row[0].value == "L'Opcommerce")
    assert "'L''Opcommerce'!$L$2:$L$2" in commerce[5].value

    akto = [row for row in formulas["AKTO"].iter_rows(values_only=True) if any(row)]
    assert [row[1] for row in akto[1:3]] == ["Boulangerie", "Hôtel du Port"]
    assert akto[3][0] == "Total" and akto[3][11] == "=SUBTOTAL(9,$L$2:$L$3)"


def test_by_funder_sections_have_subtotals_the_sheet_total_skips(admin_client, funders):
    formulas, values = both_books(admin_client.get(reverse("funding:export_by_funder")))
    sheet = formulas["Companies"]
    rows = list(sheet.iter_rows())
    assert rows[0][0].value == "Learner"
    assert rows[1][0].value == "'=Direct SA" and rows[1][0].font.b  # the section's title
    assert rows[2][1].value == "'=Direct SA" and rows[2][11].value == 450
    assert rows[3][0].value == "Subtotal =Direct SA"  # does not start like a formula
    assert rows[3][11].value == "=SUBTOTAL(9,L3:L3)"
    assert values["Companies"]["L4"].value == 450
    assert sheet.auto_filter.ref == "A1:Q4"
    total = next(row for row in rows if row[0].value == "Total")
    # The sheet's total covers the sections and their subtotals: SUBTOTAL skips the latter.
    assert total[11].value == "=SUBTOTAL(9,$L$2:$L$4)"
    assert evaluate(formulas, sheet, total[11].value) == Decimal("450.00")
    individuals = list(formulas["Individuals"].iter_rows(values_only=True))
    assert individuals[1][0] == "Chloé Roux EI"
    assert individuals[2][:4] == ("Chloé Roux", "Chloé Roux EI", "Individual", "Self-funded")


def test_by_funder_in_french_formulas_compare_the_french_statuses(admin_client, funders, french):
    formulas, _values = both_books(admin_client.get(reverse("funding:export_by_funder")))
    assert formulas.sheetnames[:4] == ["Synthèse", "AKTO", "L'Opcommerce", "OPCO non renseigné"]
    summary = formulas["Synthèse"]
    assert summary["A1"].value == "Financeur" and summary["G1"].value == "Payé"
    assert summary["G2"].value.endswith(',"Payé")')
    assert evaluate(formulas, summary, summary["G2"].value) == Decimal("3000.00")
    rows = csv_rows(admin_client.get(reverse("funding:export_csv")))
    assert rows[0][12] == "Compté"
    assert [row[0] for row in rows[-5:]] == [
        "Total",
        "Total En attente",
        "Total Accordé",
        "Total Payé",
        "Total Refusé",
    ]


def test_empty_exports_still_have_header_and_totals(admin_client):
    rows = csv_rows(admin_client.get(reverse("funding:export_csv")))
    assert rows[0][0] == "Learner" and rows[1][0] == "Total" and len(rows) == 6
    sheet = workbook_of(admin_client.get(reverse("funding:export_xlsx"))).active
    assert [row[0] for row in sheet.iter_rows(min_row=3, max_row=3, values_only=True)] == ["Total"]
    book = workbook_of(admin_client.get(reverse("funding:export_by_funder")))
    assert book.sheetnames == ["Summary"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+33 6 12", "'+33 6 12"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Dupont", "Dupont"),
        ("Jean-Pierre", "Jean-Pierre"),
        ("", ""),
    ],
)
def test_neutralise_formula(text, expected):
    assert export_rows.neutralise_formula(text) == expected


def test_formulas_are_neutralised_in_both_formats(admin_client, organization):
    learner = make_learner(organization, first_name="=1+1", last_name="Dupont")
    company = make_company(organization, name="@SUM(A1:A9)")
    enrollment = make_enrollment(make_session(organization, reference="-CMD"), learner)
    make_allocation(
        enrollment,
        funding_type=FundingType.EMPLOYER,
        carrier=company,
        funder_reference="+HYPERLINK(1)",
    )
    sheet = workbook_of(admin_client.get(reverse("funding:export_xlsx"))).active
    row = next(sheet.iter_rows(min_row=2, max_row=2))
    assert [row[i].value for i in (0, 1, 5, 14)] == [
        "'=1+1 Dupont",
        "'@SUM(A1:A9)",
        "'-CMD",
        "'+HYPERLINK(1)",
    ]
    assert all(row[i].data_type == "s" for i in (0, 1, 5, 14))
    line = csv_rows(admin_client.get(reverse("funding:export_csv")))[1]
    assert [line[i] for i in (0, 1, 5, 14)] == [
        "'=1+1 Dupont",
        "'@SUM(A1:A9)",
        "'-CMD",
        "'+HYPERLINK(1)",
    ]
    book = workbook_of(admin_client.get(reverse("funding:export_by_funder")))
    assert book["Companies"]["A2"].value == "'@SUM(A1:A9)"  # the section's title
    assert book["Companies"]["B3"].value == "'@SUM(A1:A9)"
    assert book["Summary"]["A2"].value == "'@SUM(A1:A9)"


def test_trainer_and_other_organisation_cannot_export(trainer_client, mixed):
    for name in ("funding:export_xlsx", "funding:export_csv", "funding:export_by_funder"):
        assert trainer_client.get(reverse(name)).status_code == 403


def _bulk_allocations(organization, count: int) -> None:
    company = make_company(organization)
    learner = make_learner(organization)
    session = make_session(organization)
    enrollment = make_enrollment(session, learner)
    FundingAllocation.objects.bulk_create(
        FundingAllocation(
            organization=organization,
            session=session,
            learner=learner,
            enrollment=enrollment,
            company=company,
            funding_type=FundingType.EMPLOYER if index % 2 else FundingType.OPCO_SKILLS_PLAN,
            approved_amount=Decimal("1234.56"),
            funder_reference=f"REF-{index}",
        )
        for index in range(count)
    )
    refresh_sessions([session.pk])  # a bulk load refreshes the summaries once, at its end


def _peak_bytes(build) -> int:
    tracemalloc.start()
    try:
        response = build()
        for _chunk in response.streaming_content:
            pass
        # Not response.close(): outside a request its request_finished signal would close the
        # test's database connection. Only the XLSX's temporary file needs closing.
        if hasattr(response, "file_to_stream"):
            response.file_to_stream.close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "build",
    [export_xlsx.xlsx_response, xlsx_by_funder_response, export_csv.csv_response],
    ids=["xlsx", "by_funder", "csv"],
)
def test_export_memory_does_not_grow_with_rows(organization, monkeypatch, build):
    """Peak memory for 400 and for 1 600 rows (chunks of 200) stays about the same: nothing
    keeps every row. Keeping the rows would make the second peak several times the first."""
    monkeypatch.setattr(export_rows, "CHUNK_SIZE", 200)
    monkeypatch.setattr(export_csv, "CSV_BATCH", 50)
    _bulk_allocations(organization, 1600)
    allocations = FundingAllocation.objects.filter(organization=organization)
    four_hundredth = allocations.order_by("pk").values_list("pk", flat=True)[399]
    # A first run fills Python's free lists (tracemalloc counts them as allocated).
    _peak_bytes(lambda: build(allocations, "export"))
    small = _peak_bytes(lambda: build(allocations.filter(pk__lte=four_hundredth), "export"))
    large = _peak_bytes(lambda: build(allocations, "export"))
    assert large < small * 1.5, (small, large)
