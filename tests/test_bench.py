"""`make bench` end to end at a small scale: every operation runs, pages stay within their query
budget, and the BPF / floor ratio is computed. (Speed is measured by `make bench`, not here.)"""

from __future__ import annotations

import pytest

from bench.__main__ import (
    bpf_floor_ratio,
    format_ratios,
    growth_rows,
    measure,
    scale_database_url,
)
from bench.operations import operations
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange

pytestmark = pytest.mark.django_db

# The status change (line 3j): the move and its row, as measured at 200 learners. 29 before the
# chasing summaries (funding/chase_summaries.py); their refresh adds five statements: the
# session's totals by status and its funder rows, each deleted and inserted, and the funders'
# totals moved by one INSERT … ON CONFLICT DO UPDATE (37 before it: ten). The allocation is no
# longer read again after the refresh, which does not write it: 31. The totals by type and status
# (funding/allocation_totals.py) add five: the session's organisation, its totals locked, moved,
# the session's rows deleted and inserted: 36.
STATUS_CHANGE_QUERIES = 36


def test_every_operation_runs_at_a_small_scale():
    results = [
        measure(op.name, op.run, repeat=1, warmup=op.warmup, target=op.target)
        for op in operations(scale=200)
    ]
    lines = [result.operation.split(".")[0] for result in results]
    assert lines == [
        *("1", "2", "3a", "3b", "3c", "3d", "3e", "3f", "3g", "3h", "3i", "3j", "3k", "3l"),
        *("4", "5a", "5b", "5c", "5d", "5e", "5f", "6", "7a", "7b", "7c"),
    ]
    pages = [result for result in results if result.target.startswith("≤ 150 ms")]
    assert len(pages) == 9 and all(page.queries <= 15 for page in pages)
    status_change = results[lines.index("3j")]
    assert status_change.rows == 1 and status_change.queries <= STATUS_CHANGE_QUERIES
    # The warm-up, one timed run and the counted run each approved an allocation, put back to
    # Pending afterwards: the data set is as seeded.
    approved = FundingStatusChange.objects.filter(to_status=FundingStatus.APPROVED)
    assert approved.count() == 3
    moved = approved.values("allocation_id")
    assert set(FundingAllocation.objects.filter(pk__in=moved).values_list("status", flat=True)) == {
        FundingStatus.PENDING
    }
    bpf = results[0]
    # Five queries whatever the size: section C, the sessions grouped, those read one by one
    # (straddling the year or named by a check), section F-1, the inputs (bpf/session_read.py).
    assert bpf.queries == 5 and bpf.rows > 0
    assert all(result.size_kb for result in results if result.operation.startswith("5"))
    assert bpf_floor_ratio(results) > 0
    ratios = format_ratios(results)
    assert len(ratios) == 5 and all(value > 0 for value in ratios.values())


def test_each_scale_has_its_own_database():
    sqlite = "sqlite:////work/bench/bench.sqlite3"
    assert scale_database_url(sqlite, 40_000) == sqlite
    assert scale_database_url(sqlite, 4000) == "sqlite:////work/bench/bench-4000.sqlite3"
    postgres = "postgres://postgres@127.0.0.1:5432/certeef_bench"
    assert scale_database_url(postgres, 400_000).endswith("/certeef_bench_400000")
    assert scale_database_url(postgres + "?sslmode=disable", 4000).endswith(
        "/certeef_bench_4000?sslmode=disable"
    )


def test_growth_rows_give_each_scale_and_its_ratio_to_the_previous():
    def row(operation, ms):
        return {"operation": operation, "median_ms": ms, "queries": 7}

    results = {
        40_000: [row("3a. Individuals list", 30.0), row("5c. Funding XLSX", 5000.0)],
        4000: [row("3a. Individuals list", 20.0)],
        400_000: [row("3a. Individuals list", 90.0)],
    }
    lines = {line["line"]: line for line in growth_rows(results)}
    assert lines["3a"]["ms"] == {4000: 20.0, 40_000: 30.0, 400_000: 90.0}
    assert lines["3a"]["ratios"] == {40_000: 1.5, 400_000: 3.0}
    assert lines["5c"]["ms"] == {40_000: 5000.0} and lines["5c"]["ratios"] == {}
