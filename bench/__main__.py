"""Measure Certeef at a large organisation's scale (issue 6). Run with `make bench`.

Builds (once) a scale organisation with `seed_demo --scale`, then measures each operation as the
median of several runs after a warm-up, with its SQL query count and peak Python memory, prints
one table and writes it to bench/results-<database>.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
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
    if "1" not in by_line or "2" not in by_line:
        return 0.0
    return by_line["1"] / by_line["2"]


# The exports and the format floor they are compared with (issue 17, item 3).
FORMAT_FLOOR = "6"
EXPORTS = ("5b", "5c", "5d", "5e", "5f")


def format_ratios(results: list[Result]) -> dict[str, float]:
    """Each whole-file export's time over the bare openpyxl write-only loop of the Funding
    XLSX's cells (line 6): what the export costs beyond the format itself."""
    by_line = {r.operation.split(".")[0]: r for r in results}
    floor = by_line.get(FORMAT_FLOOR)
    if floor is None or not floor.median_ms:
        return {}
    return {
        by_line[line].operation: round(by_line[line].median_ms / floor.median_ms, 2)
        for line in EXPORTS
        if line in by_line
    }


def _skipped(name: str, only: list[str] | None, skip: list[str] | None) -> bool:
    line = name.split(".")[0]
    if only and not line.startswith(tuple(only)):
        return True
    return bool(skip and line.startswith(tuple(skip)))


def run_scale(
    scale: int, repeat: int, only: list[str] | None = None, skip: list[str] | None = None
) -> tuple[str, list[Result]]:
    """Measure every operation (or those chosen) at one scale, in the database of
    DATABASE_URL; return the database's vendor and the results."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench.operations import operations

    setup_test_environment()  # the test client's host, no template caching surprises
    call_command("migrate", verbosity=0)
    results = [
        measure(op.name, op.run, repeat=op.repeat or repeat, warmup=op.warmup, target=op.target)
        for op in operations(scale=scale)
        if not _skipped(op.name, only, skip)
    ]
    return connection.vendor, results


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------------------------------
# Growth: the same operations at several scales, one database per scale (issue 17, item 1)

DEFAULT_SCALE = 40_000
# Whole-file exports, their floor and the imports (lines 5, 6, 7) run at the default scale only.
EXPORT_LINES = ["5", FORMAT_FLOOR, "7"]


def scale_database_url(url: str, scale: int) -> str:
    """The database of one scale: the default scale keeps the benchmark's own database; another
    gets its own SQLite file beside it, or its own PostgreSQL database (name_<scale>)."""
    if scale == DEFAULT_SCALE:
        return url
    if url.startswith("sqlite:"):
        path = Path(url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        return f"sqlite:///{path.with_name(f'{path.stem}-{scale}{path.suffix}')}"
    base, _slash, rest = url.rpartition("/")
    name, question, query = rest.partition("?")
    return f"{base}/{name}_{scale}{question}{query}"


def _create_postgresql_database(url: str) -> None:
    """CREATE DATABASE for a scale's own PostgreSQL database, unless it exists."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    with psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def growth_rows(results: dict[int, list[dict]]) -> list[dict]:
    """One line per operation (matched by its line number, e.g. '3d'): its median at each
    scale, and the ratio of each scale's median to the previous scale's."""
    scales = sorted(results)
    lines: dict[str, dict] = {}
    for scale in scales:
        for row in results[scale]:
            line = row["operation"].split(".")[0]
            entry = lines.setdefault(
                line, {"line": line, "operation": row["operation"], "ms": {}, "queries": {}}
            )
            entry["ms"][scale] = row["median_ms"]
            entry["queries"][scale] = row["queries"]
    for entry in lines.values():
        entry["ratios"] = {}
        for previous, scale in itertools.pairwise(scales):
            before, after = entry["ms"].get(previous), entry["ms"].get(scale)
            if before and after is not None:
                entry["ratios"][scale] = round(after / before, 2)
    return list(lines.values())


def print_growth(results: dict[int, list[dict]]) -> None:
    scales = sorted(results)
    header = f"{'operation':<52}" + "".join(f"{scale:>12,}" for scale in scales)
    header += "".join(f"{'×' + format(s, ','):>12}" for s in scales[1:])
    sys.stdout.write(header + "\n" + "-" * len(header) + "\n")
    for entry in growth_rows(results):
        name = entry["operation"]
        name = name if len(name) <= 50 else name[:49] + "…"
        cells = "".join(
            f"{entry['ms'][s]:>9.1f} ms" if s in entry["ms"] else f"{'—':>12}" for s in scales
        )
        ratios = "".join(
            f"{entry['ratios'][s]:>11.2f}×" if s in entry["ratios"] else f"{'—':>12}"
            for s in scales[1:]
        )
        sys.stdout.write(f"{name:<52}{cells}{ratios}\n")
    sys.stdout.write(
        "\n(×N: the time at that scale over the time at the previous one; the data grows by the"
        " ratio of the scales.)\n"
    )


def growth(scales: list[int], repeat: int, skip: list[str] | None = None) -> None:
    """Each scale measured by its own process on its own database, then one table. `skip`
    (lines) applies to every scale."""
    base_url = os.environ["DATABASE_URL"]
    results: dict[int, list[dict]] = {}
    vendor = ""
    started = time.perf_counter()
    for scale in scales:
        url = scale_database_url(base_url, scale)
        if url.startswith("postgres"):
            _create_postgresql_database(url)
        sys.stdout.write(f"\n== scale {scale:,} ({url.rpartition('/')[2]}) ==\n")
        sys.stdout.flush()
        with tempfile.TemporaryDirectory() as scratch:
            output = Path(scratch) / "part.json"
            command = [sys.executable, "-m", "bench", "--scale", str(scale)]
            command += ["--repeat", str(repeat), "--output", str(output)]
            skipped = [*(skip or []), *(EXPORT_LINES if scale != DEFAULT_SCALE else [])]
            if skipped:
                command += ["--skip", *skipped]
            subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
                command, check=True, env={**os.environ, "DATABASE_URL": url}
            )
            part = json.loads(output.read_text())
        vendor = part["database"]
        results[scale] = part["results"]
    sys.stdout.write("\n")
    print_growth(results)
    output = BENCH_DIR / f"results-{vendor}-growth.json"
    _write_json(
        output,
        {
            "database": vendor,
            "scales": scales,
            "total_seconds": round(time.perf_counter() - started),
            "results": {str(scale): results[scale] for scale in scales},
            "growth": growth_rows(results),
        },
    )
    sys.stdout.write(f"\nwritten to {output.relative_to(BENCH_DIR.parent)}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE, help="learners (40 000)")
    parser.add_argument(
        "--scales",
        type=int,
        nargs="+",
        metavar="N",
        help="growth: measure at each of these scales, one database each (make bench SCALES=…)",
    )
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="LINE",
        help="measure only the lines starting so (e.g. --only 5 6: the exports and their floor)",
    )
    parser.add_argument("--skip", nargs="+", metavar="LINE", help="skip the lines starting so")
    parser.add_argument("--output", type=Path, help="the JSON file to write")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certeef.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    # Never touch the development database: SQLite benchmarks use their own file.
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}")
    if args.scales:
        growth(sorted(set(args.scales)), args.repeat, args.skip)
        return

    started = time.perf_counter()
    vendor, results = run_scale(args.scale, args.repeat, args.only, args.skip)
    print_table(results)
    ratio = bpf_floor_ratio(results)
    sys.stdout.write(f"\nBPF computation / GROUP BY floor: {ratio:.2f}x (target: at most 3x)\n")
    ratios = format_ratios(results)
    if ratios:
        sys.stdout.write("\nExports / format floor (bare openpyxl write-only loop, line 6):\n")
        for operation, value in ratios.items():
            sys.stdout.write(f"  {operation:<58} {value:>6.2f}x\n")
    partial = args.only or args.skip
    output = args.output or BENCH_DIR / (
        f"results-{vendor}-partial.json" if partial else f"results-{vendor}.json"
    )
    _write_json(
        output,
        {
            "database": vendor,
            "scale": args.scale,
            "total_seconds": round(time.perf_counter() - started),
            "bpf_floor_ratio": round(ratio, 2),
            "export_format_ratios": ratios,
            "results": [asdict(r) for r in results],
        },
    )
    sys.stdout.write(f"\nwritten to {output}\n")


if __name__ == "__main__":
    main()
