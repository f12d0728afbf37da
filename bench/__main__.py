"""Measure Certeef at a large organisation's scale (issue 6). Run with `make bench`.

Builds (once) a scale organisation with `seed_demo --scale`, then measures each operation as the
median of several runs after a warm-up, with its SQL query count and peak Python memory, prints
one table and writes it to bench/results-<database>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

BENCH_DIR = Path(__file__).resolve().parent


@dataclass
class Result:
    operation: str
    rows: int
    median_ms: float
    queries: int
    peak_mb: float
    size_kb: float | None = None
    target: str = ""


def measure(
    operation: str,
    run: Callable[[], int | tuple[int, int]],
    *,
    repeat: int = 5,
    warmup: Callable[[], object] | None = None,
    target: str = "",
) -> Result:
    """Time `run` (which returns the number of rows it handled, or (rows, bytes)) after one
    warm-up: `warmup` if given, else a run of `run` itself."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    (warmup or run)()
    timings: list[float] = []
    outcome: int | tuple[int, int] = 0
    for _ in range(repeat):
        reset_queries()
        start = time.perf_counter()
        outcome = run()
        timings.append((time.perf_counter() - start) * 1000)
    # Queries and memory are measured on one extra run, so that neither slows the timed runs.
    tracemalloc.start()
    with CaptureQueriesContext(connection) as captured:
        run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows, size = outcome if isinstance(outcome, tuple) else (outcome, None)
    return Result(
        operation=operation,
        rows=rows,
        median_ms=round(statistics.median(timings), 1),
        queries=len(captured.captured_queries),
        peak_mb=round(peak / 1_000_000, 1),
        size_kb=None if size is None else round(size / 1000, 1),
        target=target,
    )


def print_table(results: list[Result]) -> None:
    header = f"{'operation':<58} {'rows':>8} {'median ms':>10} {'queries':>8} {'peak MB':>8}"
    sys.stdout.write(header + "\n" + "-" * len(header) + "\n")
    for r in results:
        size = f"  {r.size_kb:,.0f} kB" if r.size_kb is not None else ""
        line = (
            f"{r.operation:<58} {r.rows:>8} {r.median_ms:>10.1f} {r.queries:>8} {r.peak_mb:>8.1f}"
        )
        sys.stdout.write(f"{line}{size}  {r.target}\n")


def bpf_floor_ratio(results: list[Result]) -> float:
    """Line 1 (the BPF computation) over line 2 (the hand-written GROUP BY floor)."""
    by_line = {r.operation.split(".")[0]: r.median_ms for r in results}
    return by_line["1"] / by_line["2"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=40_000, help="learners (default 40 000)")
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certeef.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    # Never touch the development database: SQLite benchmarks use their own file.
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench.operations import operations

    setup_test_environment()  # the test client's host, no template caching surprises
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    started = time.perf_counter()
    results = [
        measure(
            op.name, op.run, repeat=op.repeat or args.repeat, warmup=op.warmup, target=op.target
        )
        for op in operations(scale=args.scale)
    ]
    print_table(results)
    ratio = bpf_floor_ratio(results)
    sys.stdout.write(f"\nBPF computation / GROUP BY floor: {ratio:.2f}x (target: at most 3x)\n")
    output = BENCH_DIR / f"results-{vendor}.json"
    output.write_text(
        json.dumps(
            {
                "database": vendor,
                "scale": args.scale,
                "total_seconds": round(time.perf_counter() - started),
                "bpf_floor_ratio": round(ratio, 2),
                "results": [asdict(r) for r in results],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    sys.stdout.write(f"\nwritten to {output.relative_to(BENCH_DIR.parent)}\n")


if __name__ == "__main__":
    main()
