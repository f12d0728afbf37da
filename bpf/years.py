"""Which sessions a fiscal year reads: those it touches, those that straddle it and the share of
each that falls in it, and the years that have any data at all.

A straddling session's figures are pro-rated: by its slots' minutes when it has a schedule
(`scheduled_shares`), else by calendar days (bpf/rules.py `days_in_year`).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from attendance.models import Attendance, TimeSlot
from training.models import Session

if TYPE_CHECKING:
    from certeef.models import Organization


def year_sessions(
    organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet[Session]:
    return Session.objects.filter(
        organization=organization, start_date__lte=end, end_date__gte=start
    )


def straddling_year(start: datetime.date, end: datetime.date, prefix: str = "session__") -> Q:
    """A session (through `prefix`) that begins before the year or ends after it."""
    return Q(**{f"{prefix}start_date__lt": start}) | Q(**{f"{prefix}end_date__gt": end})


def scheduled_shares(
    session_ids: list[int] | QuerySet,
    start: datetime.date,
    end: datetime.date,
    recorded: set[int] | None = None,
) -> dict[int, tuple[int, int]]:
    """Of these sessions (straddling the year), those with a schedule: (minutes of their slots
    within the year, minutes of all their slots). Their money is shared by these, and their
    learners' hours by the dates of the slots (BPF.md). Given a set, `recorded` receives those
    whose attendance is recorded. One query, none without sessions."""
    if isinstance(session_ids, list) and not session_ids:
        return {}
    rows = (
        TimeSlot.objects.filter(session_id__in=session_ids)
        .order_by()
        .values("session_id")
        .annotate(
            inside=Coalesce(Sum("minutes", filter=Q(date__gte=start, date__lte=end)), 0),
            whole=Sum("minutes"),
            recorded=Exists(Attendance.objects.filter(slot__session_id=OuterRef("session_id"))),
        )
        .values_list("session_id", "inside", "whole", "recorded")
    )
    shares = {}
    for session_id, inside, whole, is_recorded in rows:
        shares[session_id] = (inside, whole)
        if is_recorded and recorded is not None:
            recorded.add(session_id)
    return shares


def year_shares(
    organization_id: int, start: datetime.date, end: datetime.date
) -> dict[int, tuple[int, int]]:
    """`scheduled_shares` of every scheduled session of the organisation straddling the year
    (the drill-down's and the detailed exports' rows). One query."""
    straddling = (
        Session.objects.filter(
            organization_id=organization_id, start_date__lte=end, end_date__gte=start
        )
        .filter(straddling_year(start, end, prefix=""))
        .values("pk")
    )
    return scheduled_shares(straddling, start, end)


def fiscal_years_with_data(organization: Organization) -> list[int]:
    """Fiscal years touched by a session with at least one non-cancelled enrollment (that is,
    with a summary), newest first."""
    # Grouped by fiscal year in the database: a few rows instead of every (start, end) pair.
    spans = (
        Session.objects.filter(organization=organization, summary__isnull=False)
        .order_by()
        .values_list(
            organization.fiscal_year_expression("start_date"),
            organization.fiscal_year_expression("end_date"),
        )
        .distinct()
    )
    years: set[int] = set()
    for first, last in spans:
        years.update(range(first, last + 1))
    return sorted(years, reverse=True)
