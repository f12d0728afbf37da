"""The rows behind one figure of the BPF (drill-down), and the detail sheets of the XLSX export.

An allocation row shows the share of its approved amount counted in the fiscal year; an enrollment
row the share of its hours. Summed over all rows, these shares are exactly the figure before
rounding: they are the same querysets, pro-rated the same way, as the computation's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from bpf import labels
from bpf.counted_rows import counted_allocations, counted_enrollments
from bpf.report import C_DETAIL_CODES, Amount, BpfReport, Figure
from bpf.rules import (
    DAYS,
    F1_RULES,
    OBJECTIVE_F3,
    SCHEDULED_MINUTES,
    days_in_year,
    minutes_in_hours,
    prorate,
)
from bpf.years import year_shares
from funding.types import BPF_LINE
from training.models import Delivery

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db.models import QuerySet

    from bpf.counted_rows import CountedEnrollment
    from certeef.models import Organization
    from funding.models import FundingAllocation
    from training.models import Session

RNCP_OBJECTIVES = [objective for objective, line in OBJECTIVE_F3.items() if line.startswith("a_")]


def drill_targets(report: BpfReport) -> dict[str, Amount | Figure]:
    """Every figure one can drill into, by key."""
    targets: dict[str, Amount | Figure] = {f"C.{code}": amount for code, amount in report.c.items()}
    targets.update({f"F1.{key}": figure for key, figure in report.f1.items()})
    targets["F1.distance"] = report.f1_distance
    targets["F2"] = report.f2
    targets.update({f"F3.{key}": figure for key, figure in report.f3.items()})
    targets.update({f"F4.{s.code}": s.figure for s in report.f4})
    targets["F4.other"] = report.f4_other
    targets["F4.unclassified"] = report.f4_unclassified
    targets["F4.total"] = report.f4_total
    targets["G"] = report.g
    return targets


def label_of(report: BpfReport, key: str) -> str:
    section, _dot, code = key.partition(".")
    if section == "C":
        return labels.c_label(code, report.form)
    if section == "F1":
        return labels.F1_DISTANCE_16 if code == "distance" else labels.F1_LABELS[code]
    if section == "F3":
        return labels.F3_LABELS[code]
    if section == "F4":
        names = {"other": labels.F4_OTHER_LABEL, "unclassified": labels.F4_UNCLASSIFIED_LABEL}
        names["total"] = labels.F4_TOTAL_LABEL
        names.update({s.code: f"{s.code} {s.label}" for s in report.f4})
        return names[code]
    return labels.F2_LABEL if section == "F2" else labels.G_LABEL


def c_lines_of(key: str) -> tuple[str, ...]:
    code = key.removeprefix("C.")
    if code == "2":
        return labels.C_OPCO_LINES
    if code == "total":
        return C_DETAIL_CODES
    return (code,)


class _Share:
    """A row's share of the year, shown beside its counted figure."""

    inside: int
    whole: int
    unit: str

    @property
    def prorated(self) -> bool:
        return self.inside != self.whole

    @property
    def inside_hours(self) -> Decimal:
        return minutes_in_hours(self.inside)

    @property
    def whole_hours(self) -> Decimal:
        return minutes_in_hours(self.whole)


@dataclass(frozen=True)
class AllocationRow(_Share):
    allocation: FundingAllocation
    inside: int
    whole: int
    counted: Decimal
    unit: str = DAYS

    @property
    def line(self) -> str:
        return BPF_LINE[self.allocation.funding_type]


@dataclass(frozen=True)
class EnrollmentRow(_Share):
    enrollment: CountedEnrollment
    inside: int
    whole: int
    hours: Decimal
    unit: str = DAYS

    @property
    def attended_in_year(self) -> bool:
        """A straddling session's recorded attendance: the minutes of the year's slots."""
        return self.enrollment.year_minutes is not None

    @property
    def source(self) -> str:
        """Where the learner's hours come from: attendance, typed or session."""
        return self.enrollment.hours_source

    @property
    def rule(self) -> str:
        return F1_RULES[self.enrollment.f1_rule]


def allocations_for(
    organization: Organization, report: BpfReport, lines: tuple[str, ...]
) -> QuerySet[FundingAllocation]:
    types = [kind for kind, line in BPF_LINE.items() if line in lines]
    return (
        counted_allocations(organization, report.start, report.end)
        .filter(funding_type__in=types)
        .select_related("learner", "session__course", "individual__learner", "company")
        .order_by("session__start_date", "session_id", "learner__last_name", "pk")
    )


def enrollment_filter(report: BpfReport, key: str) -> Q:
    section, _dot, code = key.partition(".")
    in_f = ~Q(session__delivery=Delivery.SUBCONTRACTED_IN)
    if section == "G":
        return Q(session__delivery=Delivery.SUBCONTRACTED_IN)
    if section == "F2":
        return Q(session__delivery=Delivery.SUBCONTRACTED_OUT)
    if code == "total":
        return in_f
    if section == "F1":
        if code == "distance":
            return in_f & Q(session__distance=True)
        return in_f & Q(f1_line=code)
    if section == "F3":
        if code == "a":
            return in_f & Q(session__course__objective__in=RNCP_OBJECTIVES)
        if code == "unclassified":
            return in_f & Q(session__course__objective="")
        objectives = [objective for objective, line in OBJECTIVE_F3.items() if line == code]
        return in_f & Q(session__course__objective__in=objectives)
    # F4
    if code == "unclassified":
        return in_f & Q(session__course__nsf_code="")
    if code == "other":
        top = [s.code for s in report.f4]
        return in_f & ~Q(session__course__nsf_code="") & ~Q(session__course__nsf_code__in=top)
    return in_f & Q(session__course__nsf_code=code)


def enrollments_for(
    organization: Organization, report: BpfReport, key: str
) -> QuerySet[CountedEnrollment]:
    return (
        counted_enrollments(organization, report.start, report.end)
        .filter(enrollment_filter(report, key))
        .select_related("learner", "session__course")
        .order_by("session__start_date", "session_id", "learner__last_name", "pk")
    )


class _YearShare:
    """Each session's share of the year (BPF.md): the minutes of its slots within the year when
    it has a schedule and straddles the year, else its calendar days."""

    def __init__(self, report: BpfReport) -> None:
        self.report = report
        self.scheduled = year_shares(report.organization_id, report.start, report.end)

    def of(self, session: Session) -> tuple[int, int, str]:
        if session.pk in self.scheduled:
            return (*self.scheduled[session.pk], SCHEDULED_MINUTES)
        inside, whole = days_in_year(
            session.start_date, session.end_date, self.report.start, self.report.end
        )
        return inside, whole, DAYS


def iter_allocation_rows(
    report: BpfReport, allocations: Iterable[FundingAllocation]
) -> Iterator[AllocationRow]:
    """The rows one by one: the detail export streams them."""
    shares = _YearShare(report)
    for allocation in allocations:
        inside, whole, unit = shares.of(allocation.session)
        counted = prorate(allocation.approved_amount, inside, whole)
        yield AllocationRow(allocation, inside, whole, counted, unit)


def allocation_rows(
    report: BpfReport, allocations: Iterable[FundingAllocation]
) -> list[AllocationRow]:
    return list(iter_allocation_rows(report, allocations))


def iter_enrollment_rows(
    report: BpfReport, enrollments: Iterable[CountedEnrollment]
) -> Iterator[EnrollmentRow]:
    """The rows of these enrollments (`counted_enrollments`): a learner of a straddling session
    whose attendance is recorded counts the minutes they attended on the year's slots."""
    shares = _YearShare(report)
    for enrollment in enrollments:
        inside, whole, unit = shares.of(enrollment.session)
        if enrollment.year_minutes is not None:
            hours = minutes_in_hours(enrollment.year_minutes)
        else:
            hours = prorate(enrollment.attended_hours, inside, whole)
        yield EnrollmentRow(enrollment, inside, whole, hours, unit)


def enrollment_rows(
    report: BpfReport, enrollments: Iterable[CountedEnrollment]
) -> list[EnrollmentRow]:
    return list(iter_enrollment_rows(report, enrollments))


def is_allocation_key(key: str) -> bool:
    return key.startswith("C.")


def valid_key(report: BpfReport, key: str) -> bool:
    return key in drill_targets(report)
