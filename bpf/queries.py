"""What the BPF reads from the database, for one organisation and fiscal year.

The computation reads the per-session summaries that every write keeps current (funding/
summaries.py, through training/changes.py): a few rows per session rather than every allocation
and enrollment, and four queries whatever their number — the year's sessions (`read_sessions`),
section C by funding type (`read_section_c`) and section F-1 by line (`read_f1`). Sessions that
straddle the year are read one by one (their figures are pro-rated), the others are summed in the
database.

The drill-down and the detailed exports list the allocations and enrollments themselves
(`counted_allocations`, `counted_enrollments`): the same rules, so their rows add up to the lines.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from bpf.rules import F1_RULE_TABLE, F1_UNCLASSIFIED_RULE, days_in_year, prorate
from funding.models import (
    COUNTED_STATUSES,
    FundingAllocation,
    SessionEnrollmentTally,
    SessionFundingTotal,
)
from funding.summaries import cancelled_enrollment_exists
from funding.types import BPF_LINE
from training.models import Delivery, Enrollment, Session

if TYPE_CHECKING:
    from certeef.models import Organization

ZERO = Decimal(0)
CENT = Decimal("0.01")
# Sums can exceed the model fields' max_digits: give the aggregates room.
WIDE_DECIMAL = DecimalField(max_digits=20, decimal_places=2)


def _exact_cents(total: Decimal | float | None) -> Decimal:
    """A database sum of two-decimal values. SQLite sums them as floats (1399.5 may come back as
    1399.4999999999998, which would round down): back to exact cents before any rounding."""
    return ZERO if total is None else Decimal(total).quantize(CENT)


def _attended_hours(learners, learners_with_hours, hours_attended, session_hours):
    """The hours of a group of learners: their own attended hours, and the session's hours for
    the others (who attended all of it). Works on values and on ORM expressions alike."""
    return hours_attended + (learners - learners_with_hours) * session_hours


# ---------------------------------------------------------------------------------------------
# The querysets the computation, the drill-down and the detailed exports share


def year_sessions(
    organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet[Session]:
    return Session.objects.filter(
        organization=organization, start_date__lte=end, end_date__gte=start
    )


def year_allocations(
    organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet[FundingAllocation]:
    """Allocations of the year's sessions whose enrollment is not cancelled (any status).

    Filtered on the session's organisation, which is the allocation's (the services check it):
    SQLite then reads the year's sessions first and their allocations through the session index,
    instead of every allocation of the organisation."""
    return FundingAllocation.objects.filter(
        session__organization=organization,
        session__start_date__lte=end,
        session__end_date__gte=start,
    ).exclude(cancelled_enrollment_exists())


def counted_allocations(
    organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet[FundingAllocation]:
    return year_allocations(organization, start, end).filter(status__in=COUNTED_STATUSES)


# Where each field an F-1 rule reads is, on an enrollment (`counted_enrollments`: the drill-down
# and the detailed exports) and on a session's enrollment tally (`read_f1`).
_F1_FIELDS: dict[str, tuple[str, str]] = {
    "override": ("trainee_type_override", "trainee_type_override"),
    "funding_code": ("funding_code", "funding_code"),
    "professional_status": ("learner__professional_status", "professional_status"),
}
ON_ENROLLMENT, ON_TALLY = 0, 1


def _f1_rules(on: int) -> list[tuple[Q, F | Value, int]]:
    """The F-1 rules as ORM (condition, line, rule number), on an enrollment or a tally."""
    rules: list[tuple[Q, F | Value, int]] = []
    for rule in F1_RULE_TABLE:
        lookup = _F1_FIELDS[rule.field][on]
        if rule.value is None:
            rules.append((~Q(**{lookup: ""}), F(lookup), rule.number))
        else:
            rules.append((Q(**{lookup: rule.value}), Value(rule.line), rule.number))
    return rules


def _f1_line(on: int) -> Case:
    return Case(
        *[When(condition, then=line) for condition, line, _rule in _f1_rules(on)],
        default=Value("unclassified"),
        output_field=CharField(),
    )


def counted_enrollments(
    organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet[Enrollment]:
    """The year's non-cancelled enrollments, annotated with their F-1 line and the rule that chose
    it, whether any counted allocation funds them, and whether those exceed the course price
    (from the funding summary each enrollment carries, funding/summaries.py)."""
    rules = _f1_rules(ON_ENROLLMENT)
    return (
        Enrollment.objects.filter(
            organization=organization,
            session__start_date__lte=end,
            session__end_date__gte=start,
        )
        .not_cancelled()
        .annotate(
            f1_line=_f1_line(ON_ENROLLMENT),
            f1_rule=Case(
                *[When(condition, then=Value(rule)) for condition, _line, rule in rules],
                default=Value(F1_UNCLASSIFIED_RULE),
                output_field=IntegerField(),
            ),
            funded=Q(funding_code__isnull=False),
            overfunded=Q(session__course__price__isnull=False)
            & Q(counted_funding__gt=F("session__course__price")),
            attended_hours=Coalesce("hours_attended", "session__hours"),
        )
    )


# ---------------------------------------------------------------------------------------------
# The computation's reads


@dataclass
class SessionFacts:
    """One session of the year with its counted learners and hours (pro-rated to the year) and
    what the checks need."""

    pk: int
    reference: str
    course_id: int
    course_title: str
    nsf_code: str
    objective: str
    delivery: str
    distance: bool
    hours: Decimal
    inside: int
    whole: int
    learners: int = 0
    exact_hours: Decimal = ZERO
    unfunded: int = 0
    overfunded: int = 0
    pending: int = 0

    @property
    def in_f(self) -> bool:
        return self.delivery != Delivery.SUBCONTRACTED_IN


def read_sessions(
    organization: Organization, start: datetime.date, end: datetime.date
) -> dict[int, SessionFacts]:
    """The year's sessions, each with its counted learners and hours and what the checks need
    (its summary, funding/summaries.py; none for a session without enrollments). One query."""
    # Only a session that straddles the year needs its dates (to pro-rate): reading them for the
    # others too costs more than the rest of the row on SQLite.
    straddling = Q(start_date__lt=start) | Q(end_date__gt=end)
    rows = (
        year_sessions(organization, start, end)
        # The checks link to the first sessions they find: the latest, as everywhere else.
        .order_by("-start_date", "pk")
        .annotate(
            straddling_start=Case(When(straddling, then=F("start_date"))),
            straddling_end=Case(When(straddling, then=F("end_date"))),
            course_title=F("course__title"),
            nsf_code=F("course__nsf_code"),
            objective=F("course__objective"),
            learners=F("summary__learners"),
            learners_with_hours=F("summary__learners_with_hours"),
            hours_attended=F("summary__hours_attended"),
            unfunded=F("summary__unfunded_learners"),
            overfunded=F("summary__overfunded_learners"),
            pending=F("summary__pending_allocations"),
        )
        .values_list(
            "pk",
            "reference",
            "course_id",
            "course_title",
            "nsf_code",
            "objective",
            "delivery",
            "distance",
            "hours",
            "straddling_start",
            "straddling_end",
            "learners",
            "learners_with_hours",
            "hours_attended",
            "unfunded",
            "overfunded",
            "pending",
            named=True,
        )
    )
    sessions = {}
    for row in rows:
        inside = whole = 1
        if row.straddling_start is not None:
            inside, whole = days_in_year(row.straddling_start, row.straddling_end, start, end)
        learners = row.learners or 0
        attended = _attended_hours(
            learners, row.learners_with_hours or 0, _exact_cents(row.hours_attended), row.hours
        )
        sessions[row.pk] = SessionFacts(
            pk=row.pk,
            reference=row.reference or row.course_title,
            course_id=row.course_id,
            course_title=row.course_title,
            nsf_code=row.nsf_code,
            objective=row.objective,
            delivery=row.delivery,
            distance=row.distance,
            hours=row.hours,
            inside=inside,
            whole=whole,
            learners=learners,
            exact_hours=prorate(attended, inside, whole),
            unfunded=row.unfunded or 0,
            overfunded=row.overfunded or 0,
            pending=row.pending or 0,
        )
    return sessions


def _year_summary_rows(
    model: type[Model], organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet:
    """The rows of a per-session summary (`model`) for the year's sessions, each annotated with
    its session if that session straddles the year (its figures are pro-rated), else none: grouped
    on it, the sessions inside the year are summed together in the database."""
    straddling = Q(session__start_date__lt=start) | Q(session__end_date__gt=end)
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


def read_section_c(
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    sessions: dict[int, SessionFacts],
) -> dict[str, Decimal]:
    """Section C's exact amount per line, from the sessions' counted funding by type (the Approved
    and Paid allocations of non-cancelled enrollments), grouped by type: by session and type only
    for the sessions that straddle the year (their amounts are pro-rated by `sessions`), the rest
    summed in the database. One query."""
    rows = (
        _year_summary_rows(SessionFundingTotal, organization, start, end)
        .values("straddling_session", "funding_type")
        .annotate(total=Sum("counted_amount", output_field=WIDE_DECIMAL))
    )
    lines: dict[str, Decimal] = {}
    for row in rows:
        total = _exact_cents(row["total"])
        if row["straddling_session"] is not None:
            session = sessions[row["straddling_session"]]
            total = prorate(total, session.inside, session.whole)
        line = BPF_LINE[row["funding_type"]]
        lines[line] = lines.get(line, ZERO) + total
    return lines


class F1Group(NamedTuple):
    """Learners of one F-1 line and their exact hours, pro-rated to the year."""

    line: str
    learners: int
    hours: Decimal


def read_f1(
    organization: Organization,
    start: datetime.date,
    end: datetime.date,
    sessions: dict[int, SessionFacts],
) -> list[F1Group]:
    """Section F-1 from the year's enrollment tallies, grouped by F-1 line: by session and line
    only for the sessions that straddle the year (their hours are pro-rated by `sessions`), the
    rest summed in the database. Section G (sessions sub-contracted to us) is not in F-1. One
    query; a line may come in several groups (one per straddling session)."""
    rows = (
        _year_summary_rows(SessionEnrollmentTally, organization, start, end)
        .exclude(session__delivery=Delivery.SUBCONTRACTED_IN)
        .annotate(f1_line=_f1_line(ON_TALLY))
        .values("straddling_session", "f1_line")
        .annotate(
            learners_total=Sum("learners"),
            hours=Sum(
                _attended_hours(
                    F("learners"),
                    F("learners_with_hours"),
                    F("hours_attended"),
                    F("session__hours"),
                ),
                output_field=WIDE_DECIMAL,
            ),
        )
    )
    groups = []
    for row in rows:
        hours = _exact_cents(row["hours"])
        if row["straddling_session"] is not None:
            session = sessions[row["straddling_session"]]
            hours = prorate(hours, session.inside, session.whole)
        groups.append(F1Group(row["f1_line"], row["learners_total"], hours))
    return groups


# ---------------------------------------------------------------------------------------------
# Which years


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
