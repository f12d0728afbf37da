"""The checks of BPF.md, shown before export: each with a severity, a count and links to fix.

What the sessions' data raise is in bpf/session_checks.py, what the report's figures and its typed
figures raise in bpf/report_checks.py, where each check links to in bpf/check_links.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpf import report_checks, session_checks
from bpf.report import ERROR
from bpf.session_findings import Found

if TYPE_CHECKING:
    from bpf.report import BpfReport, Check


def build_checks(
    report: BpfReport, sessions: dict[str, Found], last_closed_year: int
) -> tuple[Check, ...]:
    """Every check that fails, errors first, in BPF.md's order within each severity. `sessions`:
    what each check on the year's sessions found (bpf/session_findings.py)."""
    nothing = Found()
    found = (
        session_checks.pending_allocations(report, sessions.get("pending_allocations", nothing)),
        session_checks.unfunded_enrollments(sessions.get("unfunded_enrollments", nothing)),
        report_checks.unclassified_trainees(report),
        session_checks.missing_nsf(sessions.get("missing_nsf", nothing)),
        session_checks.missing_objective(sessions.get("missing_objective", nothing)),
        report_checks.totals_mismatch(report),
        report_checks.costs_missing(report),
        session_checks.overfunded(sessions.get("overfunded", nothing)),
        session_checks.no_hours(sessions.get("no_hours", nothing)),
        session_checks.no_show_funded(sessions.get("no_show_funded", nothing)),
        session_checks.attendance_not_recorded(sessions.get("attendance_not_recorded", nothing)),
        session_checks.subcontracting_mismatch(sessions.get("subcontracting_mismatch", nothing)),
        session_checks.cancelled_funded(sessions.get("cancelled_funded", nothing)),
        report_checks.turnover_share_missing(report),
        report_checks.costs_out_of_scale(report),
        report_checks.year_not_closed(report, last_closed_year),
    )
    checks = [check for check in found if check is not None]
    return tuple(sorted(checks, key=lambda check: check.severity != ERROR))
