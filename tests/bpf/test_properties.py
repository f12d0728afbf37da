"""Properties of the computation for random data (hypothesis), and its fixed query count."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpf.computation import compute_bpf
from bpf.report import C_CODES
from certeef.models import Organization
from funding.models import COUNTED_STATUSES, FundingStatus
from funding.types import BPF_LINE, INDIVIDUAL_TYPES, FundingType
from learners.models import ProfessionalStatus
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_learner,
    make_organization,
    make_session,
)
from training.models import Delivery, Objective, Outcome

pytestmark = pytest.mark.django_db

allocation_st = st.fixed_dictionaries(
    {
        "type": st.sampled_from(FundingType.values),
        "cents": st.integers(min_value=1, max_value=500_000),
        "status": st.sampled_from(FundingStatus.values),
    }
)
enrollment_st = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["", *ProfessionalStatus.values]),
        "override": st.sampled_from(["", "", "", "a", "b", "c", "d", "e"]),
        "hours_attended": st.one_of(st.none(), st.integers(min_value=0, max_value=80)),
        "outcome": st.sampled_from(Outcome.values),
        "allocations": st.lists(allocation_st, max_size=3, unique_by=lambda a: a["type"]),
    }
)
session_st = st.fixed_dictionaries(
    {
        # Days from the start of FY 2025; both FY 2025 and FY 2026 hold every session whole.
        "offset": st.integers(min_value=0, max_value=700),
        "length": st.integers(min_value=1, max_value=30),
        "hours": st.integers(min_value=0, max_value=70),
        "delivery": st.sampled_from(Delivery.values),
        "distance": st.booleans(),
        "nsf": st.sampled_from(["", "326", "312", "330", "100", "110", "111", "112"]),
        "objective": st.sampled_from(["", *Objective.values]),
        "enrollments": st.lists(enrollment_st, min_size=1, max_size=4),
    }
)
data_st = st.fixed_dictionaries(
    {
        "start_month": st.integers(min_value=1, max_value=12),
        "start_day": st.sampled_from([1, 15, 28]),
        "sessions": st.lists(session_st, min_size=1, max_size=6),
    }
)


def build(data) -> tuple[Organization, dict[str, Any]]:
    """The organisation, and what FY 2025 + FY 2026 must add up to."""
    org = make_organization(
        fiscal_year_start_month=data["start_month"], fiscal_year_start_day=data["start_day"]
    )
    first_day, last_day = org.fiscal_year_bounds(2025)[0], org.fiscal_year_bounds(2026)[1]
    private = make_company(org)
    expected: dict[str, Any] = {
        "c": dict.fromkeys(C_CODES, Decimal(0)),
        "learners": 0,
        "hours": Decimal(0),
    }
    for spec in data["sessions"]:
        start = first_day + datetime.timedelta(days=spec["offset"])
        end = min(start + datetime.timedelta(days=spec["length"] - 1), last_day)
        course = make_course(org, nsf_code=spec["nsf"], objective=spec["objective"])
        session = make_session(
            org,
            course,
            start_date=start,
            end_date=end,
            hours=Decimal(spec["hours"]),
            delivery=spec["delivery"],
            distance=spec["distance"],
        )
        straddles = org.fiscal_year_of(start) != org.fiscal_year_of(end)
        for enrollment_spec in spec["enrollments"]:
            learner = make_learner(org, professional_status=enrollment_spec["status"])
            hours = enrollment_spec["hours_attended"]
            enrollment = make_enrollment(
                session,
                learner,
                hours_attended=None if hours is None else Decimal(hours),
                outcome=enrollment_spec["outcome"],
                trainee_type_override=enrollment_spec["override"],
            )
            if not enrollment.is_cancelled:
                expected["learners"] += 2 if straddles else 1
                expected["hours"] += session.hours if hours is None else Decimal(hours)
            for allocation in enrollment_spec["allocations"]:
                amount = Decimal(allocation["cents"]) / 100
                kind = allocation["type"]
                make_allocation(
                    enrollment,
                    funding_type=kind,
                    amount=amount,
                    status=allocation["status"],
                    # The computation reads the type, not the carrier's kind.
                    carrier=None if kind in INDIVIDUAL_TYPES else private,
                )
                if allocation["status"] in COUNTED_STATUSES and not enrollment.is_cancelled:
                    expected["c"][BPF_LINE[kind]] += amount
    return org, expected


def assert_totals_are_sums_of_lines(report) -> None:
    c = {code: amount.value for code, amount in report.c.items()}
    assert c["2"] == sum(c[code] for code in "abcdefgh")
    lines_1_to_11 = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")
    assert c["total"] == sum(c[code] for code in lines_1_to_11)

    def total(figures):
        figures = list(figures)
        return sum(f.learners for f in figures), sum(f.hours for f in figures)

    f1, f3 = report.f1, report.f3
    f1_lines = [f1[key] for key in ("a", "b", "c", "d", "e", "unclassified")]
    assert (f1["total"].learners, f1["total"].hours) == total(f1_lines)
    sub_lines = [f3[key] for key in ("a_6_8", "a_5", "a_4", "a_3", "a_2", "a_cqp")]
    assert (f3["a"].learners, f3["a"].hours) == total(sub_lines)
    f3_lines = [f3[key] for key in ("a", "b", "c", "d", "e", "f", "unclassified")]
    assert (f3["total"].learners, f3["total"].hours) == total(f3_lines)
    f4_lines = [s.figure for s in report.f4] + [report.f4_other, report.f4_unclassified]
    assert len(report.f4) <= 5
    assert (report.f4_total.learners, report.f4_total.hours) == total(f4_lines)

    # The three totals count the same learners and, before rounding, the same hours.
    assert f1["total"].learners == f3["total"].learners == report.f4_total.learners
    exact = {f1["total"].exact_hours, f3["total"].exact_hours, report.f4_total.exact_hours}
    assert max(exact) - min(exact) < Decimal("1e-15")
    # After rounding each line, totals differ by at most half an hour per line.
    assert abs(f1["total"].hours - f3["total"].hours) <= 7
    assert abs(f1["total"].hours - report.f4_total.hours) <= 7


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=data_st)
def test_random_data(db, data):
    org, expected = build(data)
    years = [compute_bpf(org, 2025), compute_bpf(org, 2026)]
    for report in years:
        assert_totals_are_sums_of_lines(report)

    # The two fiscal years add up to every session, whole (straddling ones split between them).
    for code in C_CODES:
        if code in ("2", "total"):
            continue
        exact = years[0].c[code].exact + years[1].c[code].exact
        assert abs(exact - expected["c"][code]) < Decimal("1e-12")
        rounded = years[0].c[code].value + years[1].c[code].value
        assert abs(rounded - expected["c"][code]) <= 1
    learners = sum(r.f1["total"].learners + r.g.learners for r in years)
    assert learners == expected["learners"]
    hours = sum(r.f1["total"].exact_hours + r.g.exact_hours for r in years)
    assert abs(hours - expected["hours"]) < Decimal("1e-12")


def _add_learners(org, sessions, count: int) -> None:
    company = make_company(org)
    for index in range(count):
        learner = make_learner(org, employer=company)
        enrollment = make_enrollment(sessions[index % len(sessions)], learner)
        make_allocation(enrollment, funding_type=FundingType.CPF, amount="120.00")
        make_allocation(enrollment, funding_type=FundingType.OPCO_SKILLS_PLAN, amount="80.00")
        make_allocation(
            enrollment, funding_type=FundingType.SELF_FUNDED, status=FundingStatus.PENDING
        )


def test_query_count_does_not_grow_with_allocations_or_enrollments(organization):
    sessions = [
        make_session(
            organization,
            start_date=datetime.date(2025, 3, 1),
            end_date=datetime.date(2025, 3, 3),
        ),
        make_session(
            organization,
            start_date=datetime.date(2025, 12, 20),
            end_date=datetime.date(2026, 1, 10),
        ),
    ]
    _add_learners(organization, sessions, 2)
    with CaptureQueriesContext(connection) as small:
        small_report = compute_bpf(organization, 2025)
    _add_learners(organization, sessions, 60)
    with CaptureQueriesContext(connection) as large:
        large_report = compute_bpf(organization, 2025)
    assert small_report.f1["total"].learners == 2
    assert large_report.f1["total"].learners == 62
    assert len(small.captured_queries) == len(large.captured_queries) <= 5
