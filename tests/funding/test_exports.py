from __future__ import annotations

import csv
import datetime
import io
import tracemalloc
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from funding import exports
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


def test_xlsx_rows_types_totals_and_layout(admin_client, mixed):
    response = admin_client.get(reverse("funding:export_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert (
        f'filename="funding-formations-lumiere-{TODAY:%Y-%m-%d}.xlsx"'
        in (response["Content-Disposition"])
    )
    sheet = workbook_of(response).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
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
        "CPF case number",
        "Funder reference",
        "Paid on",
    )
    assert len(rows) == 5  # header, three allocations, totals
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
    assert cpf_row[12:] == ("12345678901", None, datetime.datetime(2025, 4, 15))
    opco_row = next(row for row in rows[1:] if row[1] == "Acme")
    assert opco_row[2:5] == ("Company", "OPCO – skills development plan", "h")
    assert opco_row[10] is None and opco_row[13] == "ATLAS-2025-001"
    assert rows[-1][0] == "Total"
    assert rows[-1][10] == 1500
    assert Decimal(str(rows[-1][11])) == Decimal("2500.00")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O4"  # header and data rows, not the totals
    cpf_cells = next(r for r in sheet.iter_rows(min_row=2) if r[3].value == "CPF")
    assert cpf_cells[11].number_format == exports.EURO_FORMAT
    assert cpf_cells[6].number_format == exports.DATE_FORMAT
    assert cpf_cells[6].is_date


def test_csv_is_french_spreadsheet_friendly(admin_client, mixed):
    response = admin_client.get(reverse("funding:export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        f'filename="funding-formations-lumiere-{TODAY:%Y-%m-%d}.csv"'
        in (response["Content-Disposition"])
    )
    rows = csv_rows(response)
    assert rows[0][0] == "Learner" and len(rows[0]) == 15
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
        "12345678901",
        "",
        "15/04/2025",
    ]
    assert rows[-1][0] == "Total"
    assert rows[-1][10:12] == ["1500,00", "2500,00"]
    assert len(rows) == 5


def test_exports_follow_the_current_filter(admin_client, mixed):
    response = admin_client.get(reverse("funding:export_csv"), {"status": "pending"})
    rows = csv_rows(response)
    assert [row[0] for row in rows[1:-1]] == ["Bruno Petit"]
    assert rows[-1][11] == "500,00"
    sheet = workbook_of(
        admin_client.get(reverse("funding:export_xlsx"), {"carrier": "company"})
    ).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Acme", None]


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


def test_by_funder_groups_rows_by_type_with_subtotals(admin_client, mixed, organization):
    second_cpf = make_allocation(
        make_enrollment(mixed["ft"].session, make_learner(organization, last_name="Zola")),
        amount="100.00",
    )
    response = admin_client.get(reverse("funding:export_by_funder"))
    assert (
        f"funding-formations-lumiere-{TODAY:%Y-%m-%d}-by-funder.xlsx"
        in (response["Content-Disposition"])
    )
    book = workbook_of(response)
    assert book.sheetnames == [
        "Summary",
        "e CPF",
        "7 France Travail",
        "h OPCO – skills development pla",  # Excel's limit: 31 characters
    ]
    summary = list(book["Summary"].iter_rows(values_only=True))
    assert summary[0][:3] == ("Type", "BPF line", "Allocations")
    assert [row[:3] for row in summary[1:]] == [
        ("CPF", "e", 2),
        ("France Travail", "7", 1),
        ("OPCO – skills development plan", "h", 1),
        ("Total", None, 4),
    ]
    assert Decimal(str(summary[1][4])) == Decimal("1334.56")
    assert Decimal(str(summary[-1][4])) == Decimal("2600.00")
    cpf_rows = list(book["e CPF"].iter_rows(values_only=True))
    assert {row[0] for row in cpf_rows[1:-1]} == {"Alice Martin", second_cpf.learner.full_name}
    assert cpf_rows[-1][0] == "Subtotal CPF"
    assert Decimal(str(cpf_rows[-1][11])) == Decimal("1334.56")
    assert book["e CPF"].freeze_panes == "A2"


def test_empty_exports_still_have_header_and_totals(admin_client):
    rows = csv_rows(admin_client.get(reverse("funding:export_csv")))
    assert rows[0][0] == "Learner" and rows[1][0] == "Total" and len(rows) == 2
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
    assert exports.neutralise_formula(text) == expected


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
    assert [row[i].value for i in (0, 1, 5, 13)] == [
        "'=1+1 Dupont",
        "'@SUM(A1:A9)",
        "'-CMD",
        "'+HYPERLINK(1)",
    ]
    assert all(row[i].data_type == "s" for i in (0, 1, 5, 13))
    line = csv_rows(admin_client.get(reverse("funding:export_csv")))[1]
    assert [line[i] for i in (0, 1, 5, 13)] == [
        "'=1+1 Dupont",
        "'@SUM(A1:A9)",
        "'-CMD",
        "'+HYPERLINK(1)",
    ]
    book = workbook_of(admin_client.get(reverse("funding:export_by_funder")))
    assert book.worksheets[1]["B2"].value == "'@SUM(A1:A9)"


def test_trainer_and_other_organisation_cannot_export(trainer_client, mixed):
    for name in ("funding:export_xlsx", "funding:export_csv", "funding:export_by_funder"):
        assert trainer_client.get(reverse(name)).status_code == 403


def _bulk_allocations(organization, count: int) -> None:
    company = make_company(organization)
    learner = make_learner(organization)
    session = make_session(organization)
    make_enrollment(session, learner)
    FundingAllocation.objects.bulk_create(
        FundingAllocation(
            organization=organization,
            session=session,
            learner=learner,
            company=company,
            funding_type=FundingType.EMPLOYER if index % 2 else FundingType.OPCO_SKILLS_PLAN,
            approved_amount=Decimal("1234.56"),
            funder_reference=f"REF-{index}",
        )
        for index in range(count)
    )


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
    [exports.xlsx_response, exports.xlsx_by_type_response, exports.csv_response],
    ids=["xlsx", "by_funder", "csv"],
)
def test_export_memory_does_not_grow_with_rows(organization, monkeypatch, build):
    """Peak memory for 400 and for 1 600 rows (chunks of 200) stays about the same: nothing
    keeps every row. Keeping the rows would make the second peak several times the first."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 200)
    _bulk_allocations(organization, 1600)
    allocations = FundingAllocation.objects.filter(organization=organization)
    four_hundredth = allocations.order_by("pk").values_list("pk", flat=True)[399]
    # A first run fills Python's free lists (tracemalloc counts them as allocated).
    _peak_bytes(lambda: build(allocations, "export"))
    small = _peak_bytes(lambda: build(allocations.filter(pk__lte=four_hundredth), "export"))
    large = _peak_bytes(lambda: build(allocations, "export"))
    assert large < small * 1.5, (small, large)
