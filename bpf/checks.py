"""The checks of BPF.md, shown before export: each with a severity, a count and links to fix.

What the sessions' data raise is in bpf/session_checks.py, what the report's figures and its typed
figures raise in bpf/report_checks.py, where each check links to in bpf/check_links.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpf import report_checks, session_checks
from bpf.report import ERROR

if TYPE_CHECKING:
    from bpf.report import BpfReport, Check
    from bpf.session_facts import SessionFacts


def build_checks(
    report: BpfReport,
    counted_sessions: list[SessionFacts],
    year_sessions: dict[int, SessionFacts],
    last_closed_year: int,
) -> tuple[Check, ...]:
    """Every check that fails, errors first, in BPF.md's order within each severity."""
    in_f = [session for session in counted_sessions if session.in_f]
    sessions = list(year_sessions.values())
    found = (
        session_checks.pending_allocations(report, sessions),
        session_checks.unfunded_enrollments(counted_sessions),
        report_checks.unclassified_trainees(report),
        session_checks.missing_nsf(in_f),
        session_checks.missing_objective(in_f),
        report_checks.totals_mismatch(report),
        report_checks.costs_missing(report),
        session_checks.overfunded(counted_sessions),
        session_checks.no_hours(counted_sessions),
        session_checks.no_show_funded(sessions),
        session_checks.attendance_not_recorded(sessions),
        session_checks.subcontracting_mismatch(sessions),
        session_checks.cancelled_funded(sessions),
        report_checks.turnover_share_missing(report),
        report_checks.costs_out_of_scale(report),
        report_checks.year_not_closed(report, last_closed_year),
    )
    checks = [check for check in found if check is not None]
    return tuple(sorted(checks, key=lambda check: check.severity != ERROR))
