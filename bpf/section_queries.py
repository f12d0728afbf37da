"""The computation's reads of sections C and F-1, one query each, from the per-session summaries:
the year's counted funding by type (`read_section_c`) and its enrollment tallies by F-1 line
(`read_f1`). Sessions that straddle the year are read one by one (their figures are pro-rated by
their `SessionFacts`), the others are summed in the database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from attendance.models import Attendance
from bpf.f1_expressions import ON_ATTENDANCE, ON_TALLY, f1_line
from bpf.rules import minutes_in_hours, prorate
from bpf.session_facts import (
    WIDE_DECIMAL,
    ZERO,
    F1Group,
    SessionFacts,
    attended_hours,
    exact_cents,
)
from bpf.years import straddling_year
from funding.models import SessionEnrollmentTally, SessionFundingTotal
from funding.types import BPF_LINE, FundingType
from training.models import Delivery, Outcome

if TYPE_CHECKING:
    from certeef.models import Organization


def _year_summary_rows(
    model: type[Model], organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet:
    """The rows of a per-session summary (`model`) for the year's sessions, each annotated with
    its session if that session straddles the year (its figures are pro-rated), else none: grouped
    on it, the sessions inside the year are summed together in the database."""
    straddling = straddling_year(start, end)
    return (
        model._default_manager.filter(
            session__organization=organization,
            session__start_date__lte=end,
            session__end_date__gte=start,
        )
        .order_by()
        .annotate(
            straddling_session=Case(
                When(straddling, then=F("session_id")), output_field=IntegerField()
            )
        )
    )


@dataclass
class SectionC:
    """The rows of section C's query, and the sessions whose counted funding contradicts their
    delivery (check `subcontracting_mismatch`)."""

    rows: list[dict[str, Any]]
    mismatched: set[int]


def read_section_c(
    organization: Organization, start: datetime.date, end: datetime.date
) -> SectionC:
    """The year's counted funding by type (the Approved and Paid allocations of non-cancelled
    enrollments), grouped by type: by session and type only for the sessions that straddle the
    year (`section_c`: their amounts are pro-rated), the rest summed in the database. One query,
    which also finds the sessions whose funding contradicts their delivery: they are grouped
    apart."""
    rows = list(
        _year_summary_rows(SessionFundingTotal, organization, start, end)
        .annotate(
            mismatched_session=Case(
                When(subcontracting_mismatch(), then=F("session_id")),
                output_field=IntegerField(),
            )
        )
        .values("straddling_session", "mismatched_session", "funding_type")
        .annotate(total=Sum("counted_amount", output_field=WIDE_DECIMAL))
    )
    mismatched = {row["mismatched_session"] for row in rows} - {None}
    return SectionC(rows, mismatched)


def section_c(read: SectionC, sessions: dict[int, SessionFacts]) -> dict[str, Decimal]:
    """Section C's exact amount per line; `sessions`: the straddling sessions, which pro-rate
    their rows."""
    lines: dict[str, Decimal] = {}
    for row in read.rows:
        total = exact_cents(row["total"])
        if row["straddling_session"] is not None:
            session = sessions[row["straddling_session"]]
            total = prorate(total, session.inside, session.whole)
        line = BPF_LINE[row["funding_type"]]
        lines[line] = lines.get(line, ZERO) + total
    return lines


def read_f1(
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    sessions: dict[int, SessionFacts],
) -> list[F1Group]:
    """Section F-1 from the year's enrollment tallies, grouped by F-1 line: by session and line
    only for the sessions that straddle the year (their hours are pro-rated by `sessions`), the
    rest summed in the database. Section G (sessions sub-contracted to us) is not in F-1.

    A straddling session with a schedule whose attendance is recorded counts its learners and
    hours of the year from the year's entries instead, by F-1 line (read in the same query, a
    UNION ALL; they give that session's learners and hours in `sessions` too). One query; a line
    may come in several groups (one per straddling session)."""
    rows = (
        _year_summary_rows(SessionEnrollmentTally, organization, start, end)
        .exclude(session__delivery=Delivery.SUBCONTRACTED_IN)
        .annotate(f1_line=f1_line(ON_TALLY))
        .values("straddling_session", "f1_line")
        .annotate(
            learners_total=Sum("learners"),
            hours=Sum(
                attended_hours(
                    F("learners"),
                    F("learners_with_hours"),
                    F("hours_attended"),
                    F("session__hours"),
                ),
                output_field=WIDE_DECIMAL,
            ),
            minutes=Value(0, output_field=IntegerField()),
        )
    )
    recorded = [pk for pk, session in sessions.items() if session.f1_groups is not None]
    if recorded:
        entries = (
            Attendance.objects.filter(
                slot__session_id__in=recorded,
                # Implied (an entry's enrollment is of its slot's session: attendance/recording.py),
                # said so that the database reads these sessions' enrollments by session and joins
                # them, instead of looking up each entry's enrollment (30 000 lookups at 400 000
                # learners).
                enrollment__session_id__in=recorded,
                slot__date__gte=start,
                slot__date__lte=end,
                minutes__gt=0,
            )
            .exclude(enrollment__outcome=Outcome.CANCELLED)
            .order_by()
            .annotate(straddling_session=F("slot__session_id"), f1_line=f1_line(ON_ATTENDANCE))
            .values("straddling_session", "f1_line")
            .annotate(
                learners_total=Count("enrollment_id", distinct=True),
                hours=Value(ZERO, output_field=WIDE_DECIMAL),
                minutes=Sum("minutes"),
            )
        )
        rows = rows.union(entries, all=True)
    groups = []
    for row in rows:
        hours, learners = exact_cents(row["hours"]), row["learners_total"]
        if row["straddling_session"] is not None:
            session = sessions[row["straddling_session"]]
            if session.f1_groups is not None:
                if not row["minutes"]:
                    continue  # its tally: the year's attendance entries (minutes) replace it
                group = F1Group(row["f1_line"], learners, minutes_in_hours(row["minutes"]))
                session.f1_groups.append(group)
                session.learners += group.learners
                session.exact_hours += group.hours
                continue
            if not session.inside:
                continue  # a schedule without a slot in the year
            hours = prorate(hours, session.inside, session.whole)
        groups.append(F1Group(row["f1_line"], learners, hours))
    for session in sessions.values():
        if session.f1_groups is not None and session.in_f:
            groups.extend(session.f1_groups)
    return groups


# ---------------------------------------------------------------------------------------------
# What a check reads, folded into section C's query (no query of its own)


def subcontracting_mismatch() -> Q:
    """On a session funding total: money of a session sub-contracted to us on a line other than
    10, or another training organisation's money (line 10) on a session not sub-contracted to
    us. Line 11 (other products: meals, lodging, materials re-invoiced) is left out: it is not the
    training work that line 10 and section G describe, and a principal may pay it too."""
    other_organisation = Q(funding_type=FundingType.TRAINING_ORGANISATION)
    other_products = Q(funding_type=FundingType.OTHER_PRODUCTS)
    subcontracted_in = Q(session__delivery=Delivery.SUBCONTRACTED_IN)
    return (subcontracted_in & ~other_organisation & ~other_products) | (
        other_organisation & ~subcontracted_in
    )
