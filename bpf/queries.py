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
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from attendance.models import Attendance, TimeSlot
from attendance.selectors import FROM_ATTENDANCE, FROM_SESSION, FROM_TYPED
from bpf.rules import (
    DAYS,
    F1_RULE_TABLE,
    F1_UNCLASSIFIED_RULE,
    SCHEDULED_MINUTES,
    days_in_year,
    minutes_in_hours,
    prorate,
)
from funding.models import (
    COUNTED_STATUSES,
    FundingAllocation,
    SessionEnrollmentTally,
    SessionFundingTotal,
)
from funding.summaries import cancelled_enrollment_exists
from funding.types import BPF_LINE, FundingType
from training.models import Delivery, Enrollment, Outcome, Session

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
# and the detailed exports), on a session's enrollment tally (`read_f1`) and on an attendance
# entry (a straddling session's attendance, `read_sessions`).
_F1_FIELDS: dict[str, tuple[str, str, str]] = {
    "override": (
        "trainee_type_override",
        "trainee_type_override",
        "enrollment__trainee_type_override",
    ),
    "funding_code": ("funding_code", "funding_code", "enrollment__funding_code"),
    "professional_status": (
        "professional_status",
        "professional_status",
        "enrollment__professional_status",
    ),
}
ON_ENROLLMENT, ON_TALLY, ON_ATTENDANCE = 0, 1, 2


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


def _straddling(start: datetime.date, end: datetime.date, prefix: str = "session__") -> Q:
    return Q(**{f"{prefix}start_date__lt": start}) | Q(**{f"{prefix}end_date__gt": end})


def counted_enrollments(
    organization: Organization, start: datetime.date, end: datetime.date
) -> QuerySet[Enrollment]:
    """The year's counted enrollments, annotated with their F-1 line and the rule that chose it,
    whether any counted allocation funds them, whether those exceed the course price (from the
    funding summary each enrollment carries, funding/summaries.py), their hours followed and
    where these come from (`hours_source`: the attendance record, the hours typed, the
    session's). Not counted: cancelled enrollments, and learners who followed nothing in the
    year — attendance recorded with 0 hours, or, in a straddling scheduled session, no hours
    attended (or no slot, attendance not recorded) within the year.

    In a straddling session whose attendance is recorded, `year_minutes` are the minutes the
    learner attended on slots within the year (else None)."""
    rules = _f1_rules(ON_ENROLLMENT)
    in_year = Q(date__gte=start, date__lte=end)
    year_minutes = (
        Attendance.objects.filter(
            enrollment_id=OuterRef("pk"), slot__date__gte=start, slot__date__lte=end
        )
        .order_by()
        .values("enrollment_id")
        .annotate(total=Sum("minutes"))
        .values("total")
    )
    scheduled = Exists(TimeSlot.objects.filter(session_id=OuterRef("session_id")))
    scheduled_in_year = Exists(TimeSlot.objects.filter(in_year, session_id=OuterRef("session_id")))
    straddling = _straddling(start, end)
    return (
        Enrollment.objects.filter(
            organization=organization,
            session__start_date__lte=end,
            session__end_date__gte=start,
        )
        .not_cancelled()
        .exclude(hours_recorded=0)
        .exclude(straddling & Q(hours_recorded__isnull=True) & scheduled & ~scheduled_in_year)
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
            attended_hours=Coalesce("hours_recorded", "hours_attended", "session__hours"),
            hours_source=Case(
                When(hours_recorded__isnull=False, then=Value(FROM_ATTENDANCE)),
                When(hours_attended__isnull=False, then=Value(FROM_TYPED)),
                default=Value(FROM_SESSION),
                output_field=CharField(),
            ),
            year_minutes=Case(
                When(
                    straddling & Q(hours_recorded__isnull=False),
                    then=Coalesce(Subquery(year_minutes, output_field=IntegerField()), 0),
                ),
                output_field=IntegerField(),
            ),
        )
        .filter(Q(year_minutes__isnull=True) | Q(year_minutes__gt=0))
    )


# ---------------------------------------------------------------------------------------------
# The computation's reads


class F1Group(NamedTuple):
    """Learners of one F-1 line and their exact hours, pro-rated to the year."""

    line: str
    learners: int
    hours: Decimal


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
    # The session's share of the year: `inside` of `whole` calendar days (DAYS), or of its
    # scheduled minutes when it has a schedule and straddles the year (SCHEDULED_MINUTES).
    inside: int
    whole: int
    unit: str = DAYS
    learners: int = 0
    exact_hours: Decimal = ZERO
    unfunded: int = 0
    overfunded: int = 0
    pending: int = 0
    # Learners recorded with 0 hours whose money counts (in the years it falls in); the date of
    # the first slot left empty for an expected learner, when attendance is recorded (checks).
    no_show_funded: int = 0
    first_gap: datetime.date | None = None
    # A straddling session whose attendance is recorded: its learners and hours of the year by
    # F-1 line, from the slots each learner attended within the year (else None).
    f1_groups: list[F1Group] | None = None
    # Cancelled enrollments still carrying counted funding (check `cancelled_funded`).
    cancelled_funded: int = 0
    # Counted funding that contradicts the delivery (check `subcontracting_mismatch`): set by
    # `read_section_c`.
    funding_mismatch: bool = False

    @property
    def in_f(self) -> bool:
        return self.delivery != Delivery.SUBCONTRACTED_IN


def _cancelled_funded() -> Subquery:
    """For a session: its cancelled enrollments still carrying Approved or Paid funding (their
    funding summary, funding/summaries.py, is kept for every enrollment)."""
    funded = (
        Enrollment.objects.filter(
            session_id=OuterRef("pk"), outcome=Outcome.CANCELLED, funding_code__isnull=False
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(funded, output_field=IntegerField())


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
            no_show_funded=F("summary__no_show_funded"),
            first_gap=F("attendance_gap__first_date"),
            # A straddling session's schedule: its slots' minutes in the year and in all, and
            # whether its attendance is recorded (subqueries run for those sessions only).
            scheduled_inside=Case(
                When(straddling, then=_slot_minutes(Q(date__gte=start, date__lte=end))),
                output_field=IntegerField(),
            ),
            scheduled_whole=Case(
                When(straddling, then=_slot_minutes(Q())), output_field=IntegerField()
            ),
            recorded=Case(
                When(
                    straddling,
                    then=Exists(Attendance.objects.filter(slot__session_id=OuterRef("pk"))),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
            cancelled_funded=_cancelled_funded(),
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
            "no_show_funded",
            "first_gap",
            "scheduled_inside",
            "scheduled_whole",
            "recorded",
            "cancelled_funded",
            named=True,
        )
    )
    sessions = {}
    for row in rows:
        inside = whole = 1
        unit = DAYS
        if row.scheduled_whole:
            inside, whole, unit = row.scheduled_inside or 0, row.scheduled_whole, SCHEDULED_MINUTES
        elif row.straddling_start is not None:
            inside, whole = days_in_year(row.straddling_start, row.straddling_end, start, end)
        # A schedule without a slot in the year: no learner, no hour in it.
        learners = (row.learners or 0) if inside else 0
        attended = _attended_hours(
            learners, row.learners_with_hours or 0, _exact_cents(row.hours_attended), row.hours
        )
        exact_hours = prorate(attended, inside, whole)
        # Attendance recorded: the learners and hours of the slots within the year, given by
        # `read_f1` (from the year's entries, by F-1 line).
        groups: list[F1Group] | None = [] if row.recorded and row.scheduled_whole else None
        if groups is not None:
            learners, exact_hours = 0, ZERO
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
            unit=unit,
            learners=learners,
            exact_hours=exact_hours,
            unfunded=row.unfunded or 0,
            overfunded=row.overfunded or 0,
            pending=row.pending or 0,
            no_show_funded=(row.no_show_funded or 0) if inside else 0,
            first_gap=row.first_gap,
            f1_groups=groups,
            cancelled_funded=row.cancelled_funded or 0,
        )
    return sessions


def _slot_minutes(condition: Q) -> Subquery:
    """For a session (outer query): the minutes of its slots that meet `condition`."""
    return Subquery(
        TimeSlot.objects.filter(condition, session_id=OuterRef("pk"))
        .order_by()
        .values("session_id")
        .annotate(total=Sum("minutes"))
        .values("total"),
        output_field=IntegerField(),
    )


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
        .filter(_straddling(start, end, prefix=""))
        .values("pk")
    )
    return scheduled_shares(straddling, start, end)


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
    summed in the database. One query, which also marks the sessions whose funding contradicts
    their delivery (`SessionFacts.funding_mismatch`): they are grouped apart."""
    rows = (
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
    lines: dict[str, Decimal] = {}
    for row in rows:
        if row["mismatched_session"] is not None:
            sessions[row["mismatched_session"]].funding_mismatch = True
        total = _exact_cents(row["total"])
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
            minutes=Value(0, output_field=IntegerField()),
        )
    )
    recorded = [pk for pk, session in sessions.items() if session.f1_groups is not None]
    if recorded:
        entries = (
            Attendance.objects.filter(
                slot__session_id__in=recorded,
                slot__date__gte=start,
                slot__date__lte=end,
                minutes__gt=0,
            )
            .exclude(enrollment__outcome=Outcome.CANCELLED)
            .order_by()
            .annotate(straddling_session=F("slot__session_id"), f1_line=_f1_line(ON_ATTENDANCE))
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
        hours, learners = _exact_cents(row["hours"]), row["learners_total"]
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
# What two checks read, folded into the queries above (no query of their own)


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
