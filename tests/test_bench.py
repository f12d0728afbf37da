"""`make bench` end to end at a small scale: every operation runs, pages stay within their query
budget, and the BPF / floor ratio is computed. (Speed is measured by `make bench`, not here.)"""

from __future__ import annotations

import pytest

from bench.__main__ import bpf_floor_ratio, measure
from bench.operations import operations

pytestmark = pytest.mark.django_db


def test_every_operation_runs_at_a_small_scale():
    results = [
        measure(op.name, op.run, repeat=1, warmup=op.warmup, target=op.target)
        for op in operations(scale=200)
    ]
    lines = [result.operation.split(".")[0] for result in results]
    assert lines == [
        *("1", "2", "3a", "3b", "3c", "3d", "3e", "3f", "3g", "3h", "3i"),
        *("4", "5a", "5b", "5c", "5d"),
    ]
    pages = [result for result in results if result.target.startswith("≤ 150 ms")]
    assert len(pages) == 7 and all(page.queries <= 15 for page in pages)
    bpf = results[0]
    assert bpf.queries == 4 and bpf.rows > 0
    assert all(result.size_kb for result in results if result.operation.startswith("5"))
    assert bpf_floor_ratio(results) > 0
