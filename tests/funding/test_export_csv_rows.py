"""The Funding CSV's rows made fast (issue 17: ≤ 2 s at 100 000 allocations) give the same bytes
as the plain way, and only the per-funder export works out each row's funder."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from funding import export_csv, export_rows
from funding.export_by_funder import xlsx_by_funder_response
from funding.export_csv import csv_lines, french_date, french_decimal
from funding.export_rows import export_order
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType
from tests.conftest import make_allocation, make_enrollment, make_learner, make_session
from tests.funding.test_exports import body, funders, mixed  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _plain_csv(rows: list[export_rows.ExportRow]) -> str:
    """The CSV made the plain way: each row's cells formatted one by one, one writerow each."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(export_rows.headers())
    totals = export_rows.Totals()
    for row in rows:
        values = list(row.cells)
        for index in export_rows.AMOUNT_COLUMNS:
            values[index] = french_decimal(values[index])
        for index in export_rows.DATE_COLUMNS:
            values[index] = french_date(values[index])
        writer.writerow(values)
        totals.add(row)
    labels = dict(FundingStatus.choices)
    for label, status, amounts in totals.lines():
        line = [""] * export_rows.COLUMN_COUNT
        line[export_rows.TOTAL_LABEL_COLUMN] = label
        if status is not None:
            line[export_rows.STATUS_COLUMN] = str(labels[status])
        for index, value in zip(export_rows.AMOUNT_COLUMNS, amounts, strict=True):
            line[index] = french_decimal(value)
        writer.writerow(line)
    return out.getvalue()


@pytest.fixture
def varied(organization, funders):  # noqa: F811  (the fixture imported above)
    """Beside `funders`: text that needs quoting or neutralising, no requested amount, amounts
    and dates that repeat, a session without a reference."""
    session = make_session(
        organization,
        reference="",
        start_date=datetime.date(2024, 12, 30),
        end_date=datetime.date(2025, 1, 3),
    )
    names = ['Zoé "la" Durand', "Ange; Lefèvre", "-Marc", "=Léa", "@Noé", "Éric\r\nBis"]
    for index, name in enumerate(names):
        first, _, last = name.partition(" ")
        learner = make_learner(organization, first_name=first or name, last_name=last or "X")
        make_allocation(
            make_enrollment(session, learner),
            amount=("99.90", "1234.50", "99.90")[index % 3],
            status=(FundingStatus.PENDING, FundingStatus.APPROVED, FundingStatus.PAID)[index % 3],
            paid_on=datetime.date(2025, 2, 1) if index % 3 == 2 else None,
            funder_reference='+33 réf; "x"' if index % 2 else "",
            requested_amount=None if index % 2 else Decimal("1500.00"),
            funding_type=FundingType.EMPLOYER if index % 2 else FundingType.SELF_FUNDED,
        )


@pytest.mark.parametrize("batch", [2, 3, 500])
def test_csv_bytes_are_those_of_the_plain_way(
    admin_client, organization, varied, monkeypatch, batch
):
    monkeypatch.setattr(export_csv, "CSV_BATCH", batch)
    rows = list(
        export_rows.export_rows(
            export_order(FundingAllocation.objects.filter(organization=organization))
        )
    )
    assert len(rows) >= 10
    expected = _plain_csv(rows)
    assert "".join(csv_lines(iter(rows))) == expected
    response = admin_client.get(reverse("funding:export_csv"))
    assert body(response).decode("utf-8") == expected


def test_only_the_per_funder_export_works_out_funders(
    admin_client,
    organization,
    funders,  # noqa: F811  (the fixture imported)
    monkeypatch,
):
    calls = []
    real = export_rows.funder_of

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(export_rows, "funder_of", counted)
    count = FundingAllocation.objects.filter(organization=organization).count()
    body(admin_client.get(reverse("funding:export_csv")))
    body(admin_client.get(reverse("funding:export_xlsx")))
    assert calls == []
    allocations = FundingAllocation.objects.filter(organization=organization)
    b"".join(xlsx_by_funder_response(allocations, "f.xlsx").streaming_content)
    assert len(calls) == count
