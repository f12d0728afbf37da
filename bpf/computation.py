"""The one BPF computation: `compute_bpf(organization, year)`.

The page, every export and the `export_bpf` command call it; nothing else computes a figure.

Rules (BPF.md): only Approved and Paid allocations count, at their approved amount; cancelled
enrollments count nowhere (nor do their allocations); a session that straddles two fiscal years is
split by calendar days (inclusive) — its amounts and hours are pro-rated, each enrollment counts as
one learner in each year it touches; each line is rounded half-up to whole euros or hours and each
total is the sum of the rounded lines it adds up.

Everything is aggregated in the database, from the per-session summaries that every write keeps
current (funding/summaries.py): a few rows per session rather than every allocation and
enrollment, and four queries whatever their number. Pro-rating is then done per session, in
Python, on the aggregated sums. The drill-down and the detailed exports list the allocations and
enrollments themselves, and their sums equal these lines (the tests check it).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from bpf import labels
from bpf.models import BpfInputs
from funding.models import (
    COUNTED_STATUSES,
    FundingAllocation,
    SessionEnrollmentTally,
    SessionFundingTotal,
)
from funding.summaries import cancelled_enrollment_exists
from funding.types import (
    BPF_LINE,
    FUNDING_CODE_APPRENTICESHIP,
    FUNDING_CODE_FRANCE_TRAVAIL,
    FUNDING_CODE_SELF_FUNDED,
)
from learners.models import ProfessionalStatus
from training.models import Delivery, Enrollment, Objective, Session
from training.nsf import nsf_labels

if TYPE_CHECKING:
    from certeef.models import Organization

ZERO = Decimal(0)
CENT = Decimal("0.01")
# Sums can exceed the model fields' max_digits: give the aggregates room.
WIDE_DECIMAL = DecimalField(max_digits=20, decimal_places=2)

C_CODES = (
    *("1", "a", "b", "c", "d", "e", "f", "g", "h", "2"),
    *("3", "4", "5", "6", "7", "8", "9", "10", "11", "total"),
)
C_DETAIL_CODES = tuple(code for code in C_CODES if code not in ("2", "total"))
F1_LINES = ("a", "b", "c", "d", "e", "unclassified")
F3_LINES = ("a_6_8", "a_5", "a_4", "a_3", "a_2", "a_cqp", "b", "c", "d", "e", "f", "unclassified")
F4_TOP = 5

OBJECTIVE_F3: dict[str, str] = {
    Objective.RNCP_6_8: "a_6_8",
    Objective.RNCP_5: "a_5",
    Objective.RNCP_4: "a_4",
    Objective.RNCP_3: "a_3",
    Objective.RNCP_2: "a_2",
    Objective.RNCP_CQP: "a_cqp",
    Objective.RS: "b",
    Objective.CQP: "c",
    Objective.OTHER: "d",
    Objective.SKILLS_ASSESSMENT: "e",
    Objective.VAE: "f",
}

# Rule 5: the learner's professional status → F-1 line.
STATUS_F1: dict[str, str] = {
    ProfessionalStatus.PRIVATE_EMPLOYEE: "a",
    ProfessionalStatus.APPRENTICE: "b",
    ProfessionalStatus.JOB_SEEKER: "c",
    ProfessionalStatus.SELF_EMPLOYED: "e",
    ProfessionalStatus.PUBLIC_AGENT: "e",
    ProfessionalStatus.OTHER: "e",
}

F1_RULES: dict[int, str] = {
    1: "the enrollment's own override",
    2: "every counted allocation is self-funded",
    3: "a counted allocation is France Travail",
    4: "a counted allocation is an OPCO apprenticeship contract",
    5: "the learner's professional status",
    6: "no rule applies",
}


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Amount:
    """A section C line: the whole euros to copy, and the exact sum before rounding."""

    value: int
    exact: Decimal


@dataclass(frozen=True)
class Figure:
    """A section F or G line: learners, whole hours to copy, and the hours before rounding."""

    learners: int
    hours: int
    exact_hours: Decimal


@dataclass(frozen=True)
class Speciality:
    code: str
    label: str
    figure: Figure


@dataclass(frozen=True)
class Identity:
    """Section A, as the organisation's settings say."""

    name: str
    slug: str
    legal_form: str = ""
    siret: str = ""
    naf_code: str = ""
    nda: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""

    @property
    def full_address(self) -> str:
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        return ", ".join(part for part in (self.address, place) if part)


@dataclass(frozen=True)
class Inputs:
    """What the administrator typed for the year (sections D, E, H and the share of turnover)."""

    total_costs: int | None = None
    trainer_salaries: int | None = None
    training_purchases: int | None = None
    own_trainers_count: int | None = None
    own_trainers_hours: int | None = None
    external_trainers_count: int | None = None
    external_trainers_hours: int | None = None
    turnover_share: int | None = None
    signatory_name: str = ""
    signatory_title: str = ""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Check:
    code: str
    severity: str  # "error" | "warning"
    count: int
    message: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Filing:
    """Set on a report rebuilt from a filed snapshot."""

    filed_at: datetime.datetime
    filed_by: str


@dataclass(frozen=True)
class BpfReport:
    organization: Identity
    year: int
    start: datetime.date
    end: datetime.date
    form: str
    has_data: bool
    distance: bool
    c: Mapping[str, Amount]
    f1: Mapping[str, Figure]
    f1_distance: Figure
    f2: Figure
    f3: Mapping[str, Figure]
    f4: tuple[Speciality, ...]
    f4_other: Figure
    f4_unclassified: Figure
    f4_total: Figure
    g: Figure
    inputs: Inputs
    checks: tuple[Check, ...]
    filing: Filing | None = None

    @property
    def errors(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if check.severity == "error")

    @property
    def d_total(self) -> int:
        return self.inputs.total_costs or 0


# ---------------------------------------------------------------------------------------------
# Pro-rating


def days_in_year(
    session_start: datetime.date,
    session_end: datetime.date,
    year_start: datetime.date,
    year_end: datetime.date,
) -> tuple[int, int]:
    """(days of the session inside the fiscal year, days of the whole session), both inclusive."""
    first, last = max(session_start, year_start), min(session_end, year_end)
    inside = (last - first).days + 1 if last >= first else 0
    return inside, (session_end - session_start).days + 1


def prorate(value: Decimal, inside: int, whole: int) -> Decimal:
    """The share of `value` that belongs to the year: accrual by service rendered."""
    if inside == whole:
        return value
    return value * inside / whole


# ---------------------------------------------------------------------------------------------
# The querysets the computation, the drill-down and the detailed exports share


def year_sessions(organization: Organization, start: datetime.date, end: datetime.date):
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


@dataclass(frozen=True)
class F1Rule:
    """One F-1 rule (BPF.md): it applies when the enrollment's `field` equals `value`, and gives
    `line`. A rule without a value applies when the field is set, and the field is the line."""

    number: int
    field: str
    value: str | int | None = None
    line: str = ""


# The one definition of the F-1 rules, in order. The drill-down's annotation of enrollments and
# the computation's annotation of enrollment tallies are both built from it.
F1_RULE_TABLE: tuple[F1Rule, ...] = (
    F1Rule(1, "override"),
    F1Rule(2, "funding_code", FUNDING_CODE_SELF_FUNDED, "d"),
    F1Rule(3, "funding_code", FUNDING_CODE_FRANCE_TRAVAIL, "c"),
    F1Rule(4, "funding_code", FUNDING_CODE_APPRENTICESHIP, "b"),
    *(F1Rule(5, "professional_status", status, line) for status, line in STATUS_F1.items()),
)
F1_UNCLASSIFIED_RULE = 6

# Where each field a rule reads is, on an enrollment (`counted_enrollments`: the drill-down and
# the detailed exports) and on a session's enrollment tally (the computation).
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
    return Enrollment.objects.filter(
        organization=organization,
        cancelled=False,
        session__start_date__lte=end,
        session__end_date__gte=start,
    ).annotate(
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


# ---------------------------------------------------------------------------------------------
# Facts per session, read once


@dataclass
class SessionFacts:
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


@dataclass
class _Tally:
    learners: int = 0
    hours: Decimal = ZERO

    def add(self, learners: int, hours: Decimal) -> None:
        self.learners += learners
        self.hours += hours

    def figure(self) -> Figure:
        return Figure(self.learners, round_half_up(self.hours), self.hours)


def sum_figures(figures) -> Figure:
    """A total line: the sum of the rounded lines it adds up."""
    figures = list(figures)
    return Figure(
        sum(figure.learners for figure in figures),
        sum(figure.hours for figure in figures),
        sum((figure.exact_hours for figure in figures), ZERO),
    )


@dataclass
class _Facts:
    sessions: dict[int, SessionFacts] = field(default_factory=dict)
    c_exact: dict[str, Decimal] = field(default_factory=dict)
    f1: dict[str, _Tally] = field(default_factory=dict)
    f1_distance: _Tally = field(default_factory=_Tally)
    f2: _Tally = field(default_factory=_Tally)
    f3: dict[str, _Tally] = field(default_factory=dict)
    f4: dict[str, _Tally] = field(default_factory=dict)
    f4_unclassified: _Tally = field(default_factory=_Tally)
    g: _Tally = field(default_factory=_Tally)


def _exact_cents(total: Decimal | float | None) -> Decimal:
    """A database sum of two-decimal values. SQLite sums them as floats (1399.5 may come back as
    1399.4999999999998, which would round down): back to exact cents before any rounding."""
    return ZERO if total is None else Decimal(total).quantize(CENT)


def _attended_hours(learners, learners_with_hours, hours_attended, session_hours):
    """The hours of a group of learners: their own attended hours, and the session's hours for
    the others (who attended all of it). Works on values and on ORM expressions alike."""
    return hours_attended + (learners - learners_with_hours) * session_hours


def _read_sessions(organization, start, end) -> dict[int, SessionFacts]:
    """The year's sessions, each with its counted learners and hours and what the checks need
    (its summary, funding/summaries.py; none for a session without enrollments)."""
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
        )
        .values_list(
            "pk",
            "reference",
            "course_id",
            "course__title",
            "course__nsf_code",
            "course__objective",
            "delivery",
            "distance",
            "hours",
            "straddling_start",
            "straddling_end",
            "summary__learners",
            "summary__learners_with_hours",
            "summary__hours_attended",
            "summary__unfunded_learners",
            "summary__overfunded_learners",
            "summary__pending_allocations",
        )
    )
    sessions = {}
    for (
        pk,
        reference,
        course_id,
        title,
        nsf_code,
        objective,
        delivery,
        distance,
        hours,
        straddling_start,
        straddling_end,
        learners,
        learners_with_hours,
        hours_attended,
        unfunded,
        overfunded,
        pending,
    ) in rows:
        inside = whole = 1
        if straddling_start is not None:
            inside, whole = days_in_year(straddling_start, straddling_end, start, end)
        learners = learners or 0
        attended = _attended_hours(
            learners, learners_with_hours or 0, _exact_cents(hours_attended), hours
        )
        sessions[pk] = SessionFacts(
            pk=pk,
            reference=reference or title,
            course_id=course_id,
            course_title=title,
            nsf_code=nsf_code,
            objective=objective,
            delivery=delivery,
            distance=distance,
            hours=hours,
            inside=inside,
            whole=whole,
            learners=learners,
            exact_hours=prorate(attended, inside, whole),
            unfunded=unfunded or 0,
            overfunded=overfunded or 0,
            pending=pending or 0,
        )
    return sessions


def _year_summary_rows(model, organization, start, end) -> QuerySet:
    """The rows of a per-session summary (`model`) for the year's sessions, each annotated with
    its session if that session straddles the year (its figures are pro-rated), else none: grouped
    on it, the sessions inside the year are summed together in the database."""
    straddling = Q(session__start_date__lt=start) | Q(session__end_date__gt=end)
    return (
        model.objects.filter(
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


def _read_section_c(facts: _Facts, organization, start, end) -> None:
    """Section C from the sessions' counted funding by type (funding/summaries.py: the Approved
    and Paid allocations of non-cancelled enrollments), grouped by type: by session and type only
    for the sessions that straddle the year (their amounts are pro-rated), the rest summed in the
    database."""
    rows = (
        _year_summary_rows(SessionFundingTotal, organization, start, end)
        .values("straddling_session", "funding_type")
        .annotate(total=Sum("counted_amount", output_field=WIDE_DECIMAL))
    )
    for row in rows:
        total = _exact_cents(row["total"])
        if row["straddling_session"] is not None:
            session = facts.sessions[row["straddling_session"]]
            total = prorate(total, session.inside, session.whole)
        line = BPF_LINE[row["funding_type"]]
        facts.c_exact[line] = facts.c_exact.get(line, ZERO) + total


def _read_f1(facts: _Facts, organization, start, end) -> None:
    """Section F-1 from the year's enrollment tallies, grouped by F-1 line: by session and line
    only for the sessions that straddle the year (their hours are pro-rated), the rest summed in
    the database. Section G (sessions sub-contracted to us) is not in F-1."""
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
    for row in rows:
        hours = _exact_cents(row["hours"])
        if row["straddling_session"] is not None:
            session = facts.sessions[row["straddling_session"]]
            hours = prorate(hours, session.inside, session.whole)
        facts.f1.setdefault(row["f1_line"], _Tally()).add(row["learners_total"], hours)


def _add_sessions(facts: _Facts) -> None:
    """Sections F-1 (at a distance), F-2, F-3, F-4 and G, from each session's counted learners
    and hours."""
    for session in facts.sessions.values():
        if not session.learners:
            continue
        learners, hours = session.learners, session.exact_hours
        if not session.in_f:
            facts.g.add(learners, hours)
            continue
        if session.distance:
            facts.f1_distance.add(learners, hours)
        if session.delivery == Delivery.SUBCONTRACTED_OUT:
            facts.f2.add(learners, hours)
        f3_line = OBJECTIVE_F3.get(session.objective, "unclassified")
        facts.f3.setdefault(f3_line, _Tally()).add(learners, hours)
        if session.nsf_code:
            facts.f4.setdefault(session.nsf_code, _Tally()).add(learners, hours)
        else:
            facts.f4_unclassified.add(learners, hours)


def _section_c(c_exact: dict[str, Decimal]) -> dict[str, Amount]:
    lines = {code: c_exact.get(code, ZERO) for code in C_DETAIL_CODES}
    amounts = {code: Amount(round_half_up(exact), exact) for code, exact in lines.items()}

    def total(codes) -> Amount:
        return Amount(
            sum(amounts[code].value for code in codes),
            sum((amounts[code].exact for code in codes), ZERO),
        )

    amounts["2"] = total(labels.C_OPCO_LINES)
    amounts["total"] = total(
        ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"),
    )
    return {code: amounts[code] for code in C_CODES}


def _section_f3(tallies: dict[str, _Tally]) -> dict[str, Figure]:
    lines = {key: tallies.get(key, _Tally()).figure() for key in F3_LINES}
    a = sum_figures(lines[key] for key in labels.F3_A_SUBLINES)
    total = sum_figures(
        [a, *(lines[key] for key in ("b", "c", "d", "e", "f", "unclassified"))],
    )
    return {"a": a, **lines, "total": total}


def rank_specialities(tallies: dict[str, _Tally]) -> list[Speciality]:
    """NSF specialities ranked by hours, then learners (then code, for a stable order)."""
    names = nsf_labels()
    specialities = [
        Speciality(code, names.get(code, ""), tally.figure()) for code, tally in tallies.items()
    ]
    specialities.sort(key=lambda s: (-s.figure.hours, -s.figure.learners, s.code))
    return specialities


def _section_f4(facts: _Facts) -> tuple[tuple[Speciality, ...], Figure, Figure, Figure]:
    ranked = rank_specialities(facts.f4)
    top = tuple(ranked[:F4_TOP])
    rest = _Tally()
    for speciality in ranked[F4_TOP:]:
        rest.add(speciality.figure.learners, facts.f4[speciality.code].hours)
    other = rest.figure()
    unclassified = facts.f4_unclassified.figure()
    total = sum_figures([*(s.figure for s in top), other, unclassified])
    return top, other, unclassified, total


def identity_of(organization: Organization) -> Identity:
    return Identity(
        name=organization.name,
        slug=organization.slug,
        legal_form=organization.legal_form,
        siret=organization.siret,
        naf_code=organization.naf_code,
        nda=organization.nda,
        address=organization.address,
        postal_code=organization.postal_code,
        city=organization.city,
        phone=organization.phone,
        email=organization.email,
    )


def _inputs_of(organization: Organization, year: int) -> Inputs:
    stored = BpfInputs.objects.filter(organization=organization, fiscal_year=year).first()
    if stored is None:
        return Inputs()
    return Inputs(
        **{name: getattr(stored, name) for name in Inputs.__dataclass_fields__},
    )


def compute_bpf(organization: Organization, year: int, *, with_checks: bool = True) -> BpfReport:
    """The BPF of `organization` for fiscal year `year` (the one that ends in calendar `year`).
    Without checks when only its figures are wanted (last year's, beside this year's)."""
    from bpf.checks import build_checks

    start, end = organization.fiscal_year_bounds(year)
    facts = _Facts(sessions=_read_sessions(organization, start, end))
    _read_section_c(facts, organization, start, end)
    _read_f1(facts, organization, start, end)
    _add_sessions(facts)

    f1_lines = {key: facts.f1.get(key, _Tally()).figure() for key in F1_LINES}
    f1 = {**f1_lines, "total": sum_figures(f1_lines.values())}
    f4, f4_other, f4_unclassified, f4_total = _section_f4(facts)
    counted_sessions = [session for session in facts.sessions.values() if session.learners]
    report = BpfReport(
        organization=identity_of(organization),
        year=year,
        start=start,
        end=end,
        form=labels.form_version(year),
        has_data=bool(counted_sessions),
        distance=any(session.distance for session in counted_sessions),
        c=_section_c(facts.c_exact),
        f1=f1,
        f1_distance=facts.f1_distance.figure(),
        f2=facts.f2.figure(),
        f3=_section_f3(facts.f3),
        f4=f4,
        f4_other=f4_other,
        f4_unclassified=f4_unclassified,
        f4_total=f4_total,
        g=facts.g.figure(),
        inputs=_inputs_of(organization, year),
        checks=(),
    )
    if not with_checks:
        return report
    checks = build_checks(report, counted_sessions, facts.sessions.values())
    return dataclasses.replace(report, checks=checks)


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


def default_fiscal_year(
    organization: Organization, years: list[int], today: datetime.date
) -> int | None:
    """The last closed fiscal year if it has data (that is the one to file), else the newest."""
    if not years:
        return None
    last_closed = organization.fiscal_year_of(today) - 1
    return last_closed if last_closed in years else years[0]
