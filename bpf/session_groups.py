"""The grouped read of the year's sessions: those inside the year summed in the database by what
sections F-1 (at a distance), F-2, F-3, F-4 and G classify them by (`SessionGroup`), with each
check's count over them (bpf/session_findings.py), and the ids of the few sessions a check must
name (a subquery of the one-by-one read, bpf/session_read.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, F, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.db.models.lookups import GreaterThan

from bpf.check_links import MAX_LINKS
from bpf.session_facts import (
    LATEST_FIRST,
    WIDE_DECIMAL,
    SessionGroup,
    YearSessions,
    exact_cents,
)
from bpf.session_findings import SESSION_COUNTS

if TYPE_CHECKING:
    import datetime

    from django.db.models import QuerySet

# What sections F-1 (at a distance), F-2, F-3, F-4 and G classify the sessions inside the year by.
GROUPED_BY = ("delivery", "distance", "objective", "nsf_code")


def read_groups(year: YearSessions, sessions: QuerySet, today: datetime.date | None) -> None:
    """Into `year`: the groups of the sessions inside the year (`sessions`:
    `year_sessions_figures`) and, given `today`, each check's count over them. One query."""
    counts = {}
    if today is not None:
        counts = {f"count_{check.code}": Sum(check.in_database(today)) for check in SESSION_COUNTS}
    groups = (
        sessions.filter(straddling=False)
        .values(*GROUPED_BY)
        .annotate(
            group_learners=Sum("learners"),
            group_hours=Sum("exact_hours", output_field=WIDE_DECIMAL),
            **counts,
        )
        .order_by()
    )
    for row in groups:
        year.groups.append(
            SessionGroup(
                delivery=row["delivery"],
                distance=row["distance"],
                objective=row["objective"],
                nsf_code=row["nsf_code"],
                learners=row["group_learners"] or 0,
                exact_hours=exact_cents(row["group_hours"]),
            )
        )
        for check in SESSION_COUNTS:
            code = check.code
            year.counts[code] = year.counts.get(code, 0) + (row.get(f"count_{code}") or 0)


def named_sessions(
    sessions: QuerySet, today: datetime.date, counts: dict[str, int]
) -> QuerySet | None:
    """The sessions inside the year that a check must name: for each check that counts some
    (`counts`) its first `MAX_LINKS` (latest first), or for a check that links to courses the
    first of each course. Their ids, as a subquery (a few columns sorted, not the sessions'
    rows); None when no check counts any."""
    named = Q()
    for check in SESSION_COUNTS:
        if not counts.get(check.code):
            continue  # nothing to name: no window to compute
        flag, rank = f"flag_{check.code}", f"rank_{check.code}"
        sessions = sessions.annotate(
            **{
                flag: Case(
                    When(GreaterThan(check.in_database(today), 0), then=Value(1)),
                    default=Value(0),
                )
            }
        )
        if check.by_course:
            ranked = Window(
                RowNumber(), partition_by=[F("course_id"), F(flag)], order_by=LATEST_FIRST
            )
            limit = 1
        else:
            ranked = Window(Sum(flag), order_by=LATEST_FIRST)
            limit = MAX_LINKS
        sessions = sessions.annotate(**{rank: ranked})
        named |= Q(**{flag: 1, f"{rank}__lte": limit})
    if not named:
        return None
    return sessions.filter(straddling=False).filter(named).values("pk")
