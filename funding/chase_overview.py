"""The dashboard's "To chase" (funding/chasing.py says what it is), read from the chasing
summaries (funding/chase_models.py) so that its cost does not grow with the allocations.

Approved and unpaid after the session: each funder's stored Approved total, less what of it
belongs to sessions not ended yet, in one statement (funding/chase_unpaid.py). Pending for over
30, 60, 90 days: read from the allocations themselves, through their (organisation, status,
declared) index — only those pending that long, which is what there is to chase.

The carriers owing the most (companies and individuals, one funder each: too many to read all)
are ranked in SQL on what they are owed Approved and unpaid; those with something pending for
over 30 days (a few, read above) are computed apart and merged in: the first `limit` plus as
many as there are of those hold every carrier that can rank.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from companies.models import Opco
from funding.chase_summaries import OWN_FUNDER_TYPES, by_funder, funder_of
from funding.chase_unpaid import CARRIERS, GROUP, PENDING, unpaid_rows
from funding.chasing import (
    CHASES,
    MONEY,
    UNPAID,
    ZERO,
    ChaseCell,
    ChasingOverview,
    funder_key,
)
from funding.chasing import FunderChase as FunderRow
from funding.funders import FunderKind, funder_kind_labels
from funding.models import FundingAllocation, FundingStatus

if TYPE_CHECKING:
    from certeef.models import Organization

_PENDING = ("pending_30", "pending_60", "pending_90")


def _money(value: object) -> Decimal:
    """A sum read by hand (SQLite gives a float): to the cent."""
    return Decimal(str(value or 0)).quantize(ZERO)


@dataclass
class _Carrier:
    """A carrier (a funder paid by the company or individual itself) and what it is owed."""

    funder: str
    name: str
    opco: str | None
    # Ties broken as the database sorts: company name, billing name (empty last), ids.
    sort_key: tuple[object, ...]
    cells: dict[str, ChaseCell] = field(default_factory=lambda: {c: ChaseCell() for c in CHASES})

    @property
    def owed(self) -> Decimal:
        return self.cells["pending_30"].amount + self.cells[UNPAID].amount

    @property
    def present(self) -> bool:
        return bool(self.cells["pending_30"].count or self.cells[UNPAID].count)

    def display(self) -> tuple[str, object]:
        """Its kind and key as the Funding page names it (funder_key)."""
        kind, company, individual = self.funder.split(":")
        if kind == FunderKind.OPCO:
            return (FunderKind.OPCO, self.opco) if self.opco else (FunderKind.OPCO_NOT_SET, company)
        return kind, int(individual or company) if kind in _CARRIER_KINDS else None


_CARRIER_KINDS = (FunderKind.COMPANY, FunderKind.INDIVIDUAL)


def _carrier(funder: str, row: tuple[Any, ...]) -> _Carrier:
    """From (company name, OPCO, billing name, first name, last name)."""
    company_name, opco, billing, first_name, last_name = row
    kind, company, individual = funder.split(":")
    if kind == FunderKind.INDIVIDUAL:
        name = billing or f"{first_name} {last_name}"
        sort_key: tuple[object, ...] = (
            True,
            "",
            billing is None,
            billing or "",
            0,
            int(individual),
        )
    else:
        name = company_name
        sort_key = (False, company_name, True, "", int(company), 0)
    return _Carrier(funder, name, opco, sort_key)


def chasing_overview(*, organization: Organization, limit: int = 10) -> ChasingOverview:
    """Per funder, how many allocations and how much in each chase, most owed first: the
    institutional funders, and the `limit` carriers owing the most. Two queries whatever the
    organisation's size (see the module's docstring)."""
    now = timezone.now()
    today = timezone.localdate(now)
    labels = funder_kind_labels()
    # 1. Pending for over 30 days (60, 90), by funder, with the carriers' names.
    cutoffs = {chase: now - datetime.timedelta(days=int(chase[8:])) for chase in _PENDING}
    pending: dict[str, Any] = {}
    for chase, cutoff in cutoffs.items():
        pending[f"{chase}_count"] = Count("pk", filter=Q(created_at__lt=cutoff))
        pending[f"{chase}_amount"] = Coalesce(
            Sum("approved_amount", filter=Q(created_at__lt=cutoff)), Value(ZERO), output_field=MONEY
        )
    names = ("company__name", "company__opco", "individual__billing_name")
    learner = ("individual__learner__first_name", "individual__learner__last_name")
    old_pending = by_funder(
        FundingAllocation.objects.filter(
            organization=organization,
            status=FundingStatus.PENDING,
            created_at__lt=cutoffs["pending_30"],
        ).order_by(),
        *names,
        *learner,
    ).annotate(**pending)
    groups: dict[str, FunderRow] = {}
    carriers: dict[str, _Carrier] = {}
    totals = {chase: ChaseCell() for chase in CHASES}
    for row in old_pending:
        funder = funder_of(row["chase_kind"], row["chase_company"], row["chase_individual"])
        kind, opco = row["chase_kind"], row["company__opco"]
        if kind in OWN_FUNDER_TYPES or (kind == FunderKind.OPCO and opco):
            target = _group(groups, kind if kind in OWN_FUNDER_TYPES else opco, labels).cells
        else:
            if funder not in carriers:
                carriers[funder] = _carrier(funder, tuple(row[name] for name in (*names, *learner)))
            target = carriers[funder].cells
        for chase in _PENDING:
            for cell in (target[chase], totals[chase]):
                cell.count += row[f"{chase}_count"]
                cell.amount += row[f"{chase}_amount"]
    # 2. Approved and unpaid: by institutional funder and for the carriers together; the
    # carriers with something pending for long (they were counted in the group if they have
    # some; counted now if they have anything to chase); the other carriers owed the most.
    carrier_count = 0
    ranked = list(carriers.values())
    for part, key, count, amount, funders, *carrier_names in unpaid_rows(
        organization_id=organization.pk, today=today, pending_carriers=list(carriers), limit=limit
    ):
        cell = ChaseCell(count, _money(amount))
        if part == GROUP:
            totals[UNPAID].count += count
            totals[UNPAID].amount += cell.amount
            if key == CARRIERS:
                carrier_count += funders
            else:
                _group(groups, key, labels).cells[UNPAID] = cell
        elif part == PENDING:
            carriers[key].cells[UNPAID] = cell
        else:
            one = _carrier(key, tuple(carrier_names))
            one.cells[UNPAID] = cell
            ranked.append(one)
    carrier_count += sum(not one.cells[UNPAID].count for one in carriers.values())
    ranked.sort(key=lambda one: (-one.owed, *one.sort_key))
    rows = [
        row for row in groups.values() if row.cells["pending_30"].count or row.cells[UNPAID].count
    ]
    institutional = len(rows)
    for one in ranked[:limit]:
        kind, key = one.display()
        row = FunderRow(funder_key(kind, key), one.name, labels[kind])
        row.cells = one.cells
        rows.append(row)
    for cell in (cell for row in rows for cell in row.cells.values()):
        cell.amount = cell.amount.quantize(ZERO)
    for cell in totals.values():
        cell.amount = cell.amount.quantize(ZERO)
    return ChasingOverview(
        funders=sorted(rows, key=lambda funder: (-funder.amount, funder.name))[:limit],
        funder_count=institutional + carrier_count,
        totals=totals,
    )


def _group(groups: dict[str, FunderRow], group: str, labels: dict[str, str]) -> FunderRow:
    """An institutional funder's row: a kind of its own, or an OPCO."""
    if group not in groups:
        if group in OWN_FUNDER_TYPES:
            groups[group] = FunderRow(funder_key(group, None), labels[group], labels[group])
        else:
            kind = FunderKind.OPCO
            groups[group] = FunderRow(funder_key(kind, group), str(Opco(group).label), labels[kind])
    return groups[group]
