"""The chasing summaries (funding/chase_models.py): per session and per organisation, the Approved
allocations by funder, as `refresh_funding_summaries` keeps them.

A refresh of some (locked) sessions is five statements, whatever their number, none of whose rows
go through Python:
- their totals by status, deleted and made again by INSERT … SELECT;
- the totals of the funders whose figures in those sessions move, moved by one INSERT … SELECT …
  ON CONFLICT DO UPDATE: what the sessions' rows are about to gain (from their allocations) less
  what they hold (their SessionFunderChase rows), added to each funder's total row — created if
  the funder is new, else locked and added to. The rows are taken in (organisation, funder) order,
  so two writers lock the funders they share in the same order and never wait on each other in a
  circle; a writer on another session changing the same funder waits, then adds to what the first
  one committed (ON CONFLICT DO UPDATE reads the latest committed row);
- their SessionFunderChase rows, deleted and made again by INSERT … SELECT.
A funder's total row stays (at zero) once made, so that there is always a row to add to.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Left, StrIndex

from funding.allocation_totals import STORED_ALLOCATION_TOTAL, refresh_allocation_totals
from funding.chase_models import (
    FunderChase,
    SessionFunderChase,
    SessionStatusTotal,
)
from funding.funders import OPCO_TYPES, FunderKind
from funding.models import FundingAllocation, FundingStatus
from funding.summaries import SUM_FIELD, compiled, insert_rows, table_columns
from funding.types import FundingType
from training.changes import SessionIds, StoredSummary

if TYPE_CHECKING:
    from django.db.models import QuerySet

# A funding type paid by a funder of its own, whoever carries the allocation.
OWN_FUNDER_TYPES: dict[str, tuple[str, ...]] = {
    FunderKind.CAISSE_DES_DEPOTS: (FundingType.CPF,),
    FunderKind.FRANCE_TRAVAIL: (FundingType.FRANCE_TRAVAIL,),
    FunderKind.TRANSITIONS_PRO: (FundingType.TRANSITION_PRO,),
    FunderKind.FAF: (FundingType.FAF_SELF_EMPLOYED,),
}

STORED_CHASES = [
    StoredSummary(
        "SessionFunderChase",
        SessionFunderChase,
        key=("funder",),
        fields=("approved_count", "approved_amount"),
    ),
    StoredSummary(
        "SessionStatusTotal",
        SessionStatusTotal,
        key=("status",),
        fields=("allocations", "approved_amount"),
    ),
    STORED_ALLOCATION_TOTAL,
]


def stored_kind() -> Case:
    """An allocation's funder kind as the summaries store it: "opco" for every OPCO type (the
    company's OPCO, or its absence, is read with the company)."""
    own = [
        When(funding_type__in=types, then=Value(kind)) for kind, types in OWN_FUNDER_TYPES.items()
    ]
    return Case(
        *own,
        When(funding_type__in=OPCO_TYPES, then=Value(FunderKind.OPCO)),
        When(individual__isnull=False, then=Value(FunderKind.INDIVIDUAL)),
        default=Value(FunderKind.COMPANY),
        output_field=CharField(),
    )


def _carrier(field: str) -> Case:
    """The carrier's id, but none for the funders of their own (one funder, whoever carries)."""
    own = [t for types in OWN_FUNDER_TYPES.values() for t in types]
    return Case(
        When(funding_type__in=own, then=Value(None)), default=field, output_field=IntegerField()
    )


def funder_of(kind: str, company_id: int | None, individual_id: int | None) -> str:
    """The key of a funder (FunderChase.funder)."""
    return f"{kind}:{company_id or ''}:{individual_id or ''}"


def by_funder(allocations: QuerySet[FundingAllocation], *fields: Any) -> QuerySet[Any, Any]:
    """Allocations grouped by `fields` and stored funder: kind, company id, individual id (a
    values() query, to annotate with the figures)."""
    return allocations.annotate(
        chase_kind=stored_kind(),
        chase_company=_carrier("company_id"),
        chase_individual=_carrier("individual_id"),
    ).values(*fields, "chase_kind", "chase_company", "chase_individual")


def _approved(ids: SessionIds) -> QuerySet[FundingAllocation]:
    return FundingAllocation.objects.filter(
        session_id__in=ids, status=FundingStatus.APPROVED
    ).order_by()


def _refresh_status_totals(ids: SessionIds) -> None:
    SessionStatusTotal.objects.filter(session_id__in=ids).delete()
    by_status = (
        FundingAllocation.objects.filter(session_id__in=ids)
        .order_by()
        .values("session_id", "status")
        .annotate(count=Count("pk"), amount=Sum("approved_amount", output_field=SUM_FIELD))
    )
    insert_rows(
        SessionStatusTotal,
        by_status,
        {
            "session_id": "session_id",
            "status": "status",
            "allocations": "count",
            "approved_amount": "amount",
        },
    )


def _gained(ids: SessionIds) -> tuple[str, tuple[Any, ...]]:
    """The SQL (and parameters) of what these sessions' rows are to hold: their Approved
    allocations by session and funder — session_id, organization_id, chase_kind, chase_company,
    chase_individual, chase_count, chase_amount. Compiled once for the two statements that read
    it (making Django's SQL of the funder costs more than running it)."""
    rows = by_funder(_approved(ids), "session_id", "organization_id").annotate(
        chase_count=Count("pk"), chase_amount=Sum("approved_amount", output_field=SUM_FIELD)
    )
    return compiled(
        rows.values_list(
            "session_id",
            "organization_id",
            "chase_kind",
            "chase_company",
            "chase_individual",
            "chase_count",
            "chase_amount",
        )
    )


# The funder key (`funder_of`) of a row of `_gained` named g; CAST … AS TEXT and || in both
# PostgreSQL and SQLite; a funder of its own has no carrier: ''.
_GAINED_FUNDER = (
    "g.chase_kind || ':' || COALESCE(CAST(g.chase_company AS TEXT), '')"
    " || ':' || COALESCE(CAST(g.chase_individual AS TEXT), '')"
)


def _lost(ids: SessionIds) -> QuerySet[Any, Any]:
    """What these sessions' SessionFunderChase rows hold, negated, as the columns of what moves
    (m_org, m_funder, m_kind, m_company, m_individual, m_count, m_amount)."""
    # A total row needs a kind, even when it exists and is only added to: the key's first part.
    # Its carrier comes from the gained rows whenever the funder has any (MAX ignores NULL).
    return (
        SessionFunderChase.objects.filter(session_id__in=ids)
        .order_by()
        .annotate(
            m_org=F("session__organization_id"),
            m_funder=F("funder"),
            m_kind=Left("funder", StrIndex("funder", Value(":")) - 1),
            m_company=Value(None, output_field=IntegerField()),
            m_individual=Value(None, output_field=IntegerField()),
            m_count=Value(0) - F("approved_count"),
            m_amount=Value(0, output_field=SUM_FIELD) - F("approved_amount"),
        )
        .values_list(
            "m_org", "m_funder", "m_kind", "m_company", "m_individual", "m_count", "m_amount"
        )
    )


def _move_funder_totals(ids: SessionIds, gained: tuple[str, tuple[Any, ...]]) -> None:
    """Add to each funder's total what these sessions' rows are about to gain (negative when
    they lose): one statement, run before the rows are rewritten. Its cost follows the sessions'
    rows, not the funder's other sessions (adding those up again took 70 ms per status change for
    a funder of a busy organisation at 400 000 learners)."""
    gained_sql, gained_params = gained
    lost_sql, lost_params = compiled(_lost(ids))
    quote = connection.ops.quote_name
    table = quote(FunderChase._meta.db_table)
    count, amount = quote("approved_count"), quote("approved_amount")
    into = table_columns(
        FunderChase,
        (
            "organization_id",
            "funder",
            "kind",
            "company_id",
            "individual_id",
            "approved_count",
            "approved_amount",
        ),
    )
    # Names from the models' meta, quoted; values are the queries' parameters. The proposed row
    # holds the change, which may be negative: hence FunderChase.approved_count has no check.
    # Rows are inserted or locked in the order they come: ORDER BY is the lock order.
    sql = f"""
        INSERT INTO {into}
        SELECT m_org, m_funder, MAX(m_kind), MAX(m_company), MAX(m_individual),
               SUM(m_count), SUM(m_amount)
        FROM (
            SELECT g.organization_id AS m_org, {_GAINED_FUNDER} AS m_funder,
                   g.chase_kind AS m_kind, g.chase_company AS m_company,
                   g.chase_individual AS m_individual, g.chase_count AS m_count,
                   g.chase_amount AS m_amount
            FROM ({gained_sql}) g
            UNION ALL {lost_sql}
        ) moved
        GROUP BY m_org, m_funder
        HAVING SUM(m_count) <> 0 OR SUM(m_amount) <> 0
        ORDER BY m_org, m_funder
        ON CONFLICT ({quote("organization_id")}, {quote("funder")}) DO UPDATE SET
            {count} = {table}.{count} + excluded.{count},
            {amount} = {table}.{amount} + excluded.{amount}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, gained_params + lost_params)


def _refresh_session_rows(ids: SessionIds, gained: tuple[str, tuple[Any, ...]]) -> None:
    SessionFunderChase.objects.filter(session_id__in=ids).delete()
    gained_sql, gained_params = gained
    into = table_columns(
        SessionFunderChase, ("session_id", "funder", "approved_count", "approved_amount")
    )
    sql = f"""
        INSERT INTO {into}
        SELECT g.session_id, {_GAINED_FUNDER}, g.chase_count, g.chase_amount
        FROM ({gained_sql}) g
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, gained_params)


def refresh_funder_chases(ids: SessionIds) -> None:
    """Rebuild these (locked) sessions' totals by status and SessionFunderChase rows, and move
    the total of every funder whose figures in them moved, by what moved (module docstring)."""
    refresh_allocation_totals(ids)
    _refresh_status_totals(ids)
    gained = _gained(ids)
    _move_funder_totals(ids, gained)
    _refresh_session_rows(ids, gained)


def parse_funder(funder: str) -> tuple[str, int | None, int | None]:
    """A funder key's kind, company id and individual id."""
    kind, company, individual = funder.split(":")
    return kind, int(company) if company else None, int(individual) if individual else None


def _locked_totals(organization_id: int, funders: list[str]) -> QuerySet[FunderChase]:
    """These funders' totals, created at zero if new, locked in funder order (two writers lock
    the funders they share in the same order: no deadlock)."""
    FunderChase.objects.bulk_create(
        [
            FunderChase(
                organization_id=organization_id,
                funder=funder,
                kind=kind,
                company_id=company,
                individual_id=individual,
            )
            for funder in funders
            for kind, company, individual in [parse_funder(funder)]
        ],
        ignore_conflicts=True,
    )
    totals = FunderChase.objects.filter(organization_id=organization_id, funder__in=funders)
    list(totals.select_for_update().order_by("funder").values_list("pk", flat=True))
    return totals


def add_up_funders(organization_id: int, funders: Iterable[str]) -> None:
    """Add these funders' totals up again from their session rows, once locked: a statement run
    after the lock sees what a writer that held it before has committed."""
    funders = sorted(funders)
    for first in range(0, len(funders), 500):
        rows = (
            SessionFunderChase.objects.filter(
                session__organization_id=organization_id, funder=OuterRef("funder")
            )
            .order_by()
            .values("funder")
        )
        count = rows.annotate(n=Sum("approved_count")).values("n")
        amount = rows.annotate(n=Sum("approved_amount", output_field=SUM_FIELD)).values("n")
        _locked_totals(organization_id, funders[first : first + 500]).update(
            approved_count=Coalesce(Subquery(count), Value(0), output_field=IntegerField()),
            approved_amount=Coalesce(Subquery(amount), Value(0), output_field=SUM_FIELD),
        )


@transaction.atomic
def rebuild_funder_chases(organization_id: int) -> None:
    """Every total of this organisation added up again (the summaries command's refresh: data
    changed another way, a restore)."""
    stored = FunderChase.objects.filter(organization_id=organization_id)
    rows = SessionFunderChase.objects.filter(session__organization_id=organization_id)
    add_up_funders(
        organization_id,
        {*stored.values_list("funder", flat=True), *rows.values_list("funder", flat=True)},
    )


def _cents(amount: Any) -> Decimal:
    """An amount compared to the cent: SQLite adds decimals up in floating point (a sum of
    7 770.60 can come back as 7 770.600000000001), which is not a drift."""
    return Decimal(amount).quantize(Decimal("0.01"))


def funder_chase_drifts(organization_id: int) -> list[tuple[str, Any, Any]]:
    """Each total of this organisation that differs from the sum of its session rows:
    (funder, stored (count, amount), sum), changing nothing."""
    sums = {
        funder: (count, amount)
        for funder, count, amount in SessionFunderChase.objects.filter(
            session__organization_id=organization_id
        )
        .order_by()
        .values("funder")
        .annotate(count=Sum("approved_count"), amount=Sum("approved_amount"))
        .values_list("funder", "count", "amount")
    }
    stored = {
        funder: (count, amount)
        for funder, count, amount in FunderChase.objects.filter(
            organization_id=organization_id
        ).values_list("funder", "approved_count", "approved_amount")
    }
    drifts = []
    for funder in sorted(sums.keys() | stored.keys()):
        was, should = stored.get(funder, (0, 0)), sums.get(funder, (0, 0))
        if (was[0], _cents(was[1])) != (should[0], _cents(should[1])):
            drifts.append((funder, stored.get(funder), sums.get(funder)))
    return drifts
