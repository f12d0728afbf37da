"""What every financial export of the Funding page writes: its columns, one row per allocation,
the totals in all and by status, and the file name.

What an accountant needs (issue 12): each row says what it **counts** (its approved amount when
Approved or Paid, else 0), and the totals are given by status, so that Pending and Rejected money
is never mistaken for income. The files themselves: `export_xlsx.py`, `export_by_funder.py`,
`export_csv.py`.

Built for 100 000 allocations in bounded memory (issue 17): rows are read with
`values_list(...).iterator()` (no model instances, chunks of 2 000).

Every text cell that a spreadsheet could read as a formula (starting with =, +, -, @, tab or
carriage return) is neutralised with a leading apostrophe: names and references are typed by
users and partners, and a cell such as `=HYPERLINK(...)` must stay text.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.utils.translation import gettext as _

from funding.funders import Funder, funder_kind_labels, funder_of
from funding.models import COUNTED_STATUSES, FundingStatus
from funding.types import BPF_LINE, FundingType

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.models import QuerySet

    from certeef.models import Organization

CHUNK_SIZE = 2000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ZERO = Decimal("0.00")
# The order of the totals by status.
STATUS_ORDER: tuple[str, ...] = (
    FundingStatus.PENDING,
    FundingStatus.APPROVED,
    FundingStatus.PAID,
    FundingStatus.REJECTED,
)


class AllocationValues(NamedTuple):
    """What one export row reads from the database: plain values, no model instances."""

    first_name: str
    last_name: str
    company_id: int | None
    company_name: str | None
    opco: str | None
    individual_id: int | None
    billing_name: str | None
    funding_type: str
    session_reference: str
    start_date: datetime.date
    end_date: datetime.date
    course_title: str
    status: str
    requested_amount: Decimal | None
    approved_amount: Decimal
    case_number: str
    funder_reference: str
    paid_on: datetime.date | None
    remittance_reference: str


# Each of AllocationValues' fields, read from (in its order).
_LOOKUPS = {
    "first_name": "learner__first_name",
    "last_name": "learner__last_name",
    "company_id": "company_id",
    "company_name": "company__name",
    "opco": "company__opco",
    "individual_id": "individual_id",
    "billing_name": "individual__billing_name",
    "funding_type": "funding_type",
    "session_reference": "session__reference",
    "start_date": "session__start_date",
    "end_date": "session__end_date",
    "course_title": "session__course__title",
    "status": "status",
    "requested_amount": "requested_amount",
    "approved_amount": "approved_amount",
    "case_number": "cpf_case_number",
    "funder_reference": "funder_reference",
    "paid_on": "paid_on",
    "remittance_reference": "remittance_reference",
}
_FIELDS = tuple(_LOOKUPS[name] for name in AllocationValues._fields)


def neutralise_formula(text: str) -> str:
    """'=1+1' → "'=1+1": a spreadsheet shows the text instead of evaluating it."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def headers() -> list[str]:
    return [
        _("Learner"),
        _("Carrier"),
        _("Company/individual"),
        _("Type"),
        _("BPF line"),
        _("Session"),
        _("Start date"),
        _("End date"),
        _("Course"),
        _("Status"),
        _("Requested amount"),
        _("Approved amount"),
        _("Counted"),
        _("CPF case number"),
        _("Funder reference"),
        _("Paid on"),
        _("Remittance reference"),
    ]


COLUMN_COUNT = 17
STATUS_COLUMN = 9
AMOUNT_COLUMNS = (10, 11, 12)  # requested, approved, counted (0-based)
REQUESTED_COLUMN, APPROVED_COLUMN, COUNTED_COLUMN = AMOUNT_COLUMNS
DATE_COLUMNS = (6, 7, 15)
TOTAL_LABEL_COLUMN = 0


class ExportRow(NamedTuple):
    """One allocation: its cells in column order (text already neutralised, amounts as
    Decimal, dates as dates), and what the totals and the grouping need (`funder`: only when
    asked for, None otherwise). A named tuple: made 100 000 times per export, it costs a
    third of a frozen dataclass."""

    cells: tuple
    status: str
    requested_amount: Decimal | None
    approved_amount: Decimal
    counted_amount: Decimal
    funding_type: str
    funder: Funder | None


def export_rows(allocations: QuerySet, *, with_funders: bool = False) -> Iterator[ExportRow]:
    """The rows of an (ordered) allocation queryset, read in chunks. `with_funders`: each row's
    funder too (the per-funder export groups by it; the others do not read it, and working it
    out for each of 100 000 rows was a tenth of the CSV export's time)."""
    type_labels = {value: str(label) for value, label in FundingType.choices}
    status_labels = {value: str(label) for value, label in FundingStatus.choices}
    kind_labels = funder_kind_labels()
    company_label, individual_label = _("Company"), _("Individual")
    counted_statuses = frozenset(COUNTED_STATUSES)
    text = neutralise_formula
    funder = None
    # The values come as plain tuples, unpacked in AllocationValues' order (_FIELDS).
    for (
        first_name,
        last_name,
        company_id,
        company_name,
        opco,
        individual_id,
        billing_name,
        funding_type,
        session_reference,
        start_date,
        end_date,
        course_title,
        status,
        requested_amount,
        approved_amount,
        case_number,
        funder_reference,
        paid_on,
        remittance_reference,
    ) in allocations.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        learner = f"{first_name} {last_name}"
        is_individual = individual_id is not None
        # An individual carries their own funding: their billing name, else their name; else a
        # company does (a database constraint), which always has a name.
        carrier = (billing_name or learner) if is_individual else company_name or ""
        counted = approved_amount if status in counted_statuses else ZERO
        if with_funders:
            funder = funder_of(
                funding_type=funding_type,
                company_id=company_id,
                opco=opco,
                individual_id=individual_id,
                carrier_name=carrier,
                kind_labels=kind_labels,
            )
        yield ExportRow(
            (
                text(learner),
                text(carrier),
                individual_label if is_individual else company_label,
                type_labels[funding_type],
                BPF_LINE[funding_type],
                text(session_reference or course_title),
                start_date,
                end_date,
                text(course_title),
                status_labels[status],
                requested_amount,
                approved_amount,
                counted,
                case_number,
                text(funder_reference),
                paid_on,
                text(remittance_reference),
            ),
            status,
            requested_amount,
            approved_amount,
            counted,
            funding_type,
            funder,
        )


class TotalLine(NamedTuple):
    label: str
    status: str | None  # None for the grand total
    amounts: tuple[Decimal, ...]  # requested, approved, counted


class Totals:
    """Requested, approved and counted amounts, in all and by status."""

    def __init__(self) -> None:
        self.count = 0
        self.requested = ZERO
        self.approved = ZERO
        self.counted = ZERO
        self.by_status: dict[str, list[Decimal]] = {
            status: [ZERO, ZERO, ZERO] for status in STATUS_ORDER
        }

    def add(self, row: ExportRow) -> None:
        self.count += 1
        requested = row.requested_amount or ZERO
        self.requested += requested
        self.approved += row.approved_amount
        self.counted += row.counted_amount
        amounts = self.by_status[row.status]
        amounts[0] += requested
        amounts[1] += row.approved_amount
        amounts[2] += row.counted_amount

    def lines(self) -> list[TotalLine]:
        """The grand total, then the total of each status."""
        status_labels = dict(FundingStatus.choices)
        lines = [TotalLine(_("Total"), None, (self.requested, self.approved, self.counted))]
        for status in STATUS_ORDER:
            label = _("Total %(status)s") % {"status": status_labels[status]}
            lines.append(TotalLine(label, status, tuple(self.by_status[status])))
        return lines


def export_order(allocations: QuerySet) -> QuerySet:
    return allocations.order_by(
        "session__start_date", "session_id", "learner__last_name", "learner__first_name", "pk"
    )


def export_filename(
    organization: Organization, day: datetime.date, extension: str, *, suffix: str = ""
) -> str:
    """funding-<org-slug>-<YYYY-MM-DD>[-suffix].<extension>"""
    return f"funding-{organization.slug}-{day:%Y-%m-%d}{suffix}.{extension}"
