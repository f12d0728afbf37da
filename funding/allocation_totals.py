"""Per organisation, its allocations by type and status (funding/chase_models.py AllocationTotal):
what the Funding page adds up without a filter, or filtered on type or status only, instead of
the organisation's every allocation (1 000 000 at 400 000 learners: 420 ms).

The totals count every allocation of the organisation, whatever its session's or enrollment's
state, as the page does (`filter_allocations`). They are kept by the refresh of the chasing
summaries (funding/chase_summaries.py), which runs under the session lock for every write that
changes a session's allocations: before the sessions' totals by type and status
(SessionAllocationTotal) are rewritten, each organisation total is moved by what those rows are
about to gain less what they hold, in one INSERT … ON CONFLICT DO UPDATE
(`refresh_allocation_totals`). `rebuild_allocation_totals` makes an
organisation's again from its allocations (refresh_summaries), `allocation_total_drifts` compares
them (refresh_summaries --check).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Count, F, Sum, Value

from funding.chase_models import AllocationTotal, SessionAllocationTotal
from funding.models import COUNTED_STATUSES, FundingAllocation, FundingStatus
from funding.selectors import ZERO, AllocationTotals, totals_of
from funding.summaries import SUM_FIELD, compiled, insert_rows, table_columns
from funding.types import FundingType
from training.changes import StoredSummary
from training.models import Session

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from training.changes import SessionIds

type Figures = dict[tuple[str, str], tuple[int, Decimal]]

# Compared with a rebuild by `refresh_summaries --check`, as every session summary.
STORED_ALLOCATION_TOTAL = StoredSummary(
    "SessionAllocationTotal",
    SessionAllocationTotal,
    key=("funding_type", "status"),
    fields=("allocations", "approved_amount"),
)


def _lock_totals(ids: SessionIds) -> None:
    """Lock every total of these sessions' organisations, in (organisation, type, status) order,
    each type and status made at zero first if missing (a new organisation, a new type).

    All of them, not only those this refresh moves: a transaction may hold several refreshes (two
    writes in one block), and one that locked (CPF, Approved) and then wants (Self-funded,
    Approved) would wait in a circle with one that did the reverse. Locking them all, the first
    refresh of a transaction holds the organisation's totals until it commits; a writer of the
    same organisation waits for them before taking any."""
    organizations = sorted(
        set(
            Session.objects.filter(pk__in=ids)
            .order_by()
            .values_list("organization_id", flat=True)
            .distinct()
        )
    )
    every = len(FundingType.values) * len(FundingStatus.values)
    for organization_id in organizations:
        totals = AllocationTotal.objects.filter(organization_id=organization_id)
        locked = list(
            totals.select_for_update().order_by("funding_type", "status").values_list("pk")
        )
        if len(locked) < every:
            AllocationTotal.objects.bulk_create(
                [
                    AllocationTotal(
                        organization_id=organization_id, funding_type=funding_type, status=status
                    )
                    for funding_type in sorted(FundingType.values)
                    for status in sorted(FundingStatus.values)
                ],
                ignore_conflicts=True,
            )
            list(totals.select_for_update().order_by("funding_type", "status").values_list("pk"))


def _move_allocation_totals(ids: SessionIds) -> None:
    """Add to each organisation's total by type and status what these sessions' totals are about
    to gain from their allocations, less what they hold: one INSERT … ON CONFLICT DO UPDATE, run
    before the sessions' rows are rewritten, once the organisation's totals are locked
    (`_lock_totals`). Its cost follows the sessions' allocations, not the organisation's
    1 000 000 at 400 000 learners."""
    _lock_totals(ids)
    gained_sql, gained_params = compiled(
        _by_type_and_status(FundingAllocation.objects.filter(session_id__in=ids)).values_list(
            "organization_id", "funding_type", "status", "count", "amount"
        )
    )
    lost_sql, lost_params = compiled(
        SessionAllocationTotal.objects.filter(session_id__in=ids)
        .order_by()
        .annotate(
            m_org=F("session__organization_id"),
            m_count=Value(0) - F("allocations"),
            m_amount=Value(0, output_field=SUM_FIELD) - F("approved_amount"),
        )
        .values_list("m_org", "funding_type", "status", "m_count", "m_amount")
    )
    quote = connection.ops.quote_name
    table = quote(AllocationTotal._meta.db_table)
    count, amount = quote("allocations"), quote("approved_amount")
    amount_out = quote("amount")
    into = table_columns(
        AllocationTotal,
        ("organization_id", "funding_type", "status", "allocations", "approved_amount"),
    )
    # Names from the models' meta, quoted; values are the queries' parameters. Rows are inserted
    # or locked in the order they come: ORDER BY is the lock order.
    sql = f"""
        INSERT INTO {into}
        SELECT m_org, m_type, m_status, SUM(m_count), SUM(m_amount)
        FROM (
            SELECT g.organization_id AS m_org, g.funding_type AS m_type, g.status AS m_status,
                   g.{quote("count")} AS m_count, g.{amount_out} AS m_amount
            FROM ({gained_sql}) g
            UNION ALL {lost_sql}
        ) moved
        GROUP BY m_org, m_type, m_status
        HAVING SUM(m_count) <> 0 OR SUM(m_amount) <> 0
        ORDER BY m_org, m_type, m_status
        ON CONFLICT ({quote("organization_id")}, {quote("funding_type")}, {quote("status")})
        DO UPDATE SET
            {count} = {table}.{count} + excluded.{count},
            {amount} = {table}.{amount} + excluded.{amount}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, gained_params + lost_params)


def refresh_allocation_totals(ids: SessionIds) -> None:
    """These (locked) sessions' totals by type and status made again, once their organisations'
    totals are moved by what the sessions' rows gain or lose (module docstring)."""
    _move_allocation_totals(ids)
    SessionAllocationTotal.objects.filter(session_id__in=ids).delete()
    insert_rows(
        SessionAllocationTotal,
        _by_type_and_status(FundingAllocation.objects.filter(session_id__in=ids), "session_id"),
        {
            "session_id": "session_id",
            "funding_type": "funding_type",
            "status": "status",
            "allocations": "count",
            "approved_amount": "amount",
        },
    )


def _by_type_and_status(
    allocations: QuerySet[FundingAllocation], owner: str = "organization_id"
) -> QuerySet[Any, Any]:
    """Count and amount of `allocations` by owner (organisation or session), type and status."""
    return (
        allocations.order_by()
        .values(owner, "funding_type", "status")
        .annotate(count=Count("pk"), amount=Sum("approved_amount", output_field=SUM_FIELD))
    )


@transaction.atomic
def rebuild_allocation_totals(organization_id: int) -> None:
    """This organisation's totals made again from its allocations (the summaries command: data
    changed another way, a restore). Its sessions are locked first, as every writer locks those
    it changes: no allocation moves while its totals are added up."""
    sessions = Session.objects.select_for_update().filter(organization_id=organization_id)
    list(sessions.order_by("pk").values_list("pk", flat=True))
    AllocationTotal.objects.filter(organization_id=organization_id).delete()
    insert_rows(
        AllocationTotal,
        _by_type_and_status(FundingAllocation.objects.filter(organization_id=organization_id)),
        {
            "organization_id": "organization_id",
            "funding_type": "funding_type",
            "status": "status",
            "allocations": "count",
            "approved_amount": "amount",
        },
    )


def summary_totals(
    *, organization_id: int, funding_type: str = "", status: str = ""
) -> AllocationTotals:
    """`allocation_totals` of the organisation's allocations (of this type, of this status, when
    given) read from its totals by type and status: a few dozen rows. The same figures."""
    rows = AllocationTotal.objects.filter(organization_id=organization_id).exclude(
        allocations=0, approved_amount=0
    )
    if funding_type:
        rows = rows.filter(funding_type=funding_type)
    if status:
        rows = rows.filter(status=status)
    return totals_of(
        rows=[
            {
                "funding_type": row_type,
                "status": row_status,
                "count": count,
                "approved": _cents(amount),
                "counted": _cents(amount) if row_status in COUNTED_STATUSES else ZERO,
            }
            for row_type, row_status, count, amount in rows.values_list(
                "funding_type", "status", "allocations", "approved_amount"
            )
        ]
    )


def _cents(amount: Any) -> Decimal:
    """To the cent: SQLite adds decimals up in floating point."""
    return Decimal(amount).quantize(Decimal("0.01"))


def stored_totals(organization_id: int) -> Figures:
    """The organisation's totals by (type, status), without those at zero."""
    return {
        (funding_type, status): (count, _cents(amount))
        for funding_type, status, count, amount in AllocationTotal.objects.filter(
            organization_id=organization_id
        )
        .exclude(allocations=0, approved_amount=0)
        .values_list("funding_type", "status", "allocations", "approved_amount")
    }


def allocation_total_drifts(organization_id: int) -> list[tuple[tuple[str, str], Any, Any]]:
    """Each total of this organisation that differs from its allocations' sum: ((type, status),
    stored (count, amount), sum), changing nothing."""
    sums = {
        (row["funding_type"], row["status"]): (row["count"], _cents(row["amount"]))
        for row in _by_type_and_status(
            FundingAllocation.objects.filter(organization_id=organization_id)
        )
    }
    stored = stored_totals(organization_id)
    return [
        (key, stored.get(key), sums.get(key))
        for key in sorted(sums.keys() | stored.keys())
        if stored.get(key) != sums.get(key)
    ]
