"""The dashboard's "To chase" (funding/chasing.py says what it is), read from the chasing
summaries (funding/chase_models.py) so that its cost does not grow with the allocations.

Approved and unpaid after the session: each funder's stored Approved total, less what of it
belongs to sessions not ended yet (read from those sessions' summary rows: the sessions of the
coming weeks). Pending for over 30, 60, 90 days: read from the allocations themselves, through
their (organisation, status, declared) index — only those pending that long, which is what
there is to chase. Neither part depends on more than the funders and those few rows.

The carriers owing the most (companies and individuals, one funder each: too many to read all)
are found without adding every one up: a carrier with nothing pending for over 30 days and
nothing Approved in a session not ended owes exactly its stored total, so the first ones by
stored total, taken as many as there are carriers with such a correction more, include every
carrier that can rank among the first `limit`; those with a correction are computed exactly.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Case, CharField, Count, F, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from companies.models import Opco
from funding.chase_models import FunderChase, SessionFunderChase
from funding.chase_summaries import OWN_FUNDER_TYPES, by_funder, funder_of
from funding.chasing import (
    CHASES,
    MONEY,
    UNPAID,
    ZERO,
    ChaseCell,
    ChasingOverview,
    funder_key,
)
from funding.chasing import (
    FunderChase as FunderRow,
)
from funding.funders import FunderKind, funder_kind_labels
from funding.models import FundingAllocation, FundingStatus

if TYPE_CHECKING:
    from certeef.models import Organization

_PENDING = ("pending_30", "pending_60", "pending_90")


class _Funder:
    """One stored funder (FunderChase.funder) and what it owes now."""

    def __init__(self, funder: str) -> None:
        self.funder = funder
        self.kind, company, individual = funder.split(":")
        self.company_id = int(company) if company else None
        self.individual_id = int(individual) if individual else None
        self.opco: str | None = None  # its company's OPCO, for the OPCO kind, once read
        self.name = ""
        # Ties broken as the database sorted them: company name, billing name (empty ones last),
        # then ids.
        self.sort_key: tuple[object, ...] = ()
        self.stored = ChaseCell()
        self.not_ended = ChaseCell()
        self.cells = {chase: ChaseCell() for chase in CHASES}

    def settle(self) -> None:
        unpaid = self.cells[UNPAID]
        unpaid.count = self.stored.count - self.not_ended.count
        unpaid.amount = (self.stored.amount - self.not_ended.amount).quantize(ZERO)

    @property
    def present(self) -> bool:
        """It has something to chase (the chasing list shows it)."""
        return bool(self.cells["pending_30"].count or self.cells[UNPAID].count)

    @property
    def owed(self) -> Decimal:
        return self.cells["pending_30"].amount + self.cells[UNPAID].amount

    def display(self) -> tuple[str, object]:
        """Its kind and key as the Funding page names it (funder_key)."""
        if self.kind == FunderKind.OPCO:
            if self.opco:
                return FunderKind.OPCO, self.opco
            return FunderKind.OPCO_NOT_SET, self.company_id
        if self.kind == FunderKind.COMPANY:
            return self.kind, self.company_id
        if self.kind == FunderKind.INDIVIDUAL:
            return self.kind, self.individual_id
        return self.kind, None


def _is_carrier() -> Q:
    """A stored funder paid by its carrier: a company, an individual, an OPCO type on a company
    whose OPCO is not recorded."""
    return Q(kind__in=(FunderKind.COMPANY, FunderKind.INDIVIDUAL)) | Q(
        kind=FunderKind.OPCO, company__opco=""
    )


def _name_fields() -> dict[str, Any]:
    return {
        "company_name": F("company__name"),
        "company_opco": F("company__opco"),
        "billing_name": F("individual__billing_name"),
        "first_name": F("individual__learner__first_name"),
        "last_name": F("individual__learner__last_name"),
    }


def _name(funder: _Funder, row: dict[str, Any]) -> None:
    funder.opco = row["company_opco"]
    if funder.kind == FunderKind.INDIVIDUAL:
        funder.name = row["billing_name"] or f"{row['first_name']} {row['last_name']}"
        billing = row["billing_name"]
        funder.sort_key = (True, "", billing is None, billing or "", 1, funder.individual_id)
    elif funder.company_id is not None:
        funder.name = row["company_name"]
        funder.sort_key = (False, row["company_name"], True, "", 0, funder.company_id)


def chasing_overview(*, organization: Organization, limit: int = 10) -> ChasingOverview:
    """Per funder, how many allocations and how much in each chase, most owed first: the
    institutional funders, and the `limit` carriers owing the most. Five queries whatever the
    organisation's size (see the module's docstring)."""
    now = timezone.now()
    today = timezone.localdate(now)
    funders: dict[str, _Funder] = {}

    def funder(key: str) -> _Funder:
        if key not in funders:
            funders[key] = _Funder(key)
        return funders[key]

    # 1. Pending for over 30 days (60, 90), by funder, with the carriers' names.
    cutoffs = {chase: now - datetime.timedelta(days=int(chase[8:])) for chase in _PENDING}
    pending: dict[str, Any] = {}
    for chase, cutoff in cutoffs.items():
        pending[f"{chase}_count"] = Count("pk", filter=Q(created_at__lt=cutoff))
        pending[f"{chase}_amount"] = Coalesce(
            Sum("approved_amount", filter=Q(created_at__lt=cutoff)), Value(ZERO), output_field=MONEY
        )
    old_pending = by_funder(
        FundingAllocation.objects.filter(
            organization=organization,
            status=FundingStatus.PENDING,
            created_at__lt=cutoffs["pending_30"],
        )
        .order_by()
        .annotate(**_name_fields()),
        *_name_fields(),
    )
    for row in old_pending.annotate(**pending):
        one = funder(funder_of(row["chase_kind"], row["chase_company"], row["chase_individual"]))
        _name(one, row)
        for chase in _PENDING:
            cell = one.cells[chase]
            cell.count += row[f"{chase}_count"]
            cell.amount = (cell.amount + row[f"{chase}_amount"]).quantize(ZERO)
    # 2. What of the stored Approved totals belongs to sessions not ended yet.
    not_ended = (
        SessionFunderChase.objects.filter(
            session__organization=organization, session__end_date__gte=today
        )
        .order_by()
        .values("funder")
        .annotate(count=Sum("approved_count"), amount=Sum("approved_amount"))
    )
    for row in not_ended:
        funder(row["funder"]).not_ended = ChaseCell(row["count"], row["amount"])
    corrected = sorted(funders)
    # 3. The totals of every funder, and how many carriers have something Approved.
    approved = FunderChase.objects.filter(organization=organization, approved_count__gt=0)
    totals_row = approved.aggregate(
        count=Coalesce(Sum("approved_count"), Value(0)),
        amount=Coalesce(Sum("approved_amount"), Value(ZERO), output_field=MONEY),
        carriers=Count("pk", filter=_is_carrier()),
    )
    # 4. The institutional funders' stored totals (the OPCOs grouped by the company's OPCO).
    own = list(OWN_FUNDER_TYPES)
    institutional = (
        approved.filter(Q(kind__in=own) | (Q(kind=FunderKind.OPCO) & ~Q(company__opco="")))
        .annotate(
            group=Case(
                When(kind__in=own, then=F("kind")),
                default=F("company__opco"),
                output_field=CharField(),
            )
        )
        .order_by()
        .values("group")
        .annotate(count=Sum("approved_count"), amount=Sum("approved_amount"))
    )
    stored_institutional = {row["group"]: row for row in institutional}
    # 5. The carriers that may rank: the corrected ones and the first by stored total.
    carriers = approved.filter(_is_carrier())
    enough = limit + len(corrected)
    threshold = Coalesce(
        Subquery(
            carriers.order_by("-approved_amount").values("approved_amount")[enough - 1 : enough]
        ),
        Value(ZERO),
        output_field=MONEY,
    )
    candidates = (
        FunderChase.objects.filter(organization=organization)
        .filter(Q(funder__in=corrected) | Q(pk__in=carriers.filter(approved_amount__gte=threshold)))
        .annotate(**_name_fields())
        .values("funder", "approved_count", "approved_amount", *_name_fields())
    )
    for row in candidates:
        one = funder(row["funder"])
        one.stored = ChaseCell(row["approved_count"], row["approved_amount"])
        _name(one, row)
    for one in funders.values():
        one.settle()
    return _overview(funders, corrected, stored_institutional, totals_row, limit)


def _overview(
    funders: dict[str, _Funder],
    corrected: list[str],
    stored_institutional: Mapping[str, Mapping[str, Any]],
    totals_row: dict[str, Any],
    limit: int,
) -> ChasingOverview:
    labels = funder_kind_labels()
    # The institutional funders: stored totals less the corrections of their members.
    groups: dict[str, FunderRow] = {}
    for group, stored in stored_institutional.items():
        kind = group if group in OWN_FUNDER_TYPES else FunderKind.OPCO
        groups[group] = _institutional_row(kind, group, labels)
        unpaid = groups[group].cells[UNPAID]
        unpaid.count, unpaid.amount = stored["count"], stored["amount"]
    carriers: list[_Funder] = []
    for one in funders.values():
        kind, key = one.display()
        if kind in (FunderKind.OPCO_NOT_SET, FunderKind.COMPANY, FunderKind.INDIVIDUAL):
            carriers.append(one)
            continue
        group = kind if key is None else str(key)
        if group not in groups:
            groups[group] = _institutional_row(kind, group, labels)
        cells = groups[group].cells
        cells[UNPAID].count -= one.not_ended.count
        cells[UNPAID].amount -= one.not_ended.amount
        for chase in _PENDING:
            cells[chase].count += one.cells[chase].count
            cells[chase].amount += one.cells[chase].amount
    rows = [
        row for row in groups.values() if row.cells["pending_30"].count or row.cells[UNPAID].count
    ]
    for row in rows:
        for cell in row.cells.values():
            cell.amount = Decimal(cell.amount).quantize(ZERO)
    # Carriers: stored ones counted, corrected ones counted again as they now are.
    corrected_keys = set(corrected)
    carrier_count = totals_row["carriers"]
    for one in carriers:
        # Counted by the stored totals when it has something Approved; it may have nothing left
        # to chase (all of it in sessions not ended), or only something pending.
        if one.funder in corrected_keys and one.present != (one.stored.count > 0):
            carrier_count += 1 if one.present else -1
    ranked_carriers = sorted(
        (one for one in carriers if one.present),
        key=lambda one: (-one.owed, *one.sort_key),
    )[:limit]
    for one in ranked_carriers:
        kind, key = one.display()
        carrier_row = FunderRow(funder_key(kind, key), one.name, labels[kind])
        carrier_row.cells = one.cells
        rows.append(carrier_row)
    ranked = sorted(rows, key=lambda funder: (-funder.amount, funder.name))
    totals = {chase: ChaseCell() for chase in CHASES}
    totals[UNPAID] = ChaseCell(totals_row["count"], totals_row["amount"])
    for one in funders.values():
        totals[UNPAID].count -= one.not_ended.count
        totals[UNPAID].amount -= one.not_ended.amount
        for chase in _PENDING:
            totals[chase].count += one.cells[chase].count
            totals[chase].amount += one.cells[chase].amount
    for cell in totals.values():
        cell.amount = Decimal(cell.amount).quantize(ZERO)
    institutional_count = len(rows) - len(ranked_carriers)
    return ChasingOverview(
        funders=ranked[:limit],
        funder_count=institutional_count + carrier_count,
        totals=totals,
    )


def _institutional_row(kind: str, group: str, labels: dict[str, str]) -> FunderRow:
    if kind == FunderKind.OPCO:
        return FunderRow(funder_key(kind, group), str(Opco(group).label), labels[kind])
    return FunderRow(funder_key(kind, None), labels[kind], labels[kind])
