"""The computation's SQL and the drill-down's ORM queryset classify every enrollment alike.

Both are built from one table of F-1 rules, but they are two queries: for random data, the
enrollments the drill-down lists under each F-1 line add up to that line's figure, and the
checks count the enrollments the drill-down's annotations flag.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from bpf.computation import compute_bpf
from bpf.counted_rows import counted_enrollments, year_allocations
from bpf.drill import enrollment_rows, enrollments_for
from bpf.report import F1_LINES
from funding.models import FundingStatus
from tests.bpf.test_properties import build, data_st

pytestmark = pytest.mark.django_db


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=data_st)
def test_drill_down_lists_exactly_what_each_f1_line_counts(db, data):
    org, _expected = build(data)
    for year in (2025, 2026):
        report = compute_bpf(org, year)
        for line in F1_LINES:
            rows = enrollment_rows(report, enrollments_for(org, report, f"F1.{line}"))
            assert len(rows) == report.f1[line].learners
            hours = sum((row.hours for row in rows), Decimal(0))
            assert abs(hours - report.f1[line].exact_hours) < Decimal("1e-20")

        checks = {check.code: check.count for check in report.checks}
        enrollments = list(counted_enrollments(org, report.start, report.end))
        assert checks.get("unfunded_enrollments", 0) == sum(not e.funded for e in enrollments)
        assert checks.get("overfunded", 0) == sum(e.overfunded for e in enrollments)
        pending = year_allocations(org, report.start, report.end).filter(
            status=FundingStatus.PENDING
        )
        assert checks.get("pending_allocations", 0) == pending.count()
