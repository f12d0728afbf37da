"""The BPF checks that the year's sessions' data raise (BPF.md): funding still pending, learners
without counted funding or funded above the course price, courses without an NSF speciality or an
F-3 objective, sessions of zero hours, attendance that contradicts the funding or is missing,
funding that contradicts the delivery, cancelled enrollments still funded.

Each reads the sessions' facts (bpf/session_facts.py), read with the report's own queries: no
query of its own. Each returns its `Check` when it fails, else None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bpf.check_links import (
    MAX_LINKS,
    course_links,
    funding_link,
    funding_links,
    session_links,
)
from bpf.report import ERROR, WARNING, Check, Link

if TYPE_CHECKING:
    from bpf.report import BpfReport
    from bpf.session_facts import SessionFacts


def pending_allocations(report: BpfReport, sessions: list[SessionFacts]) -> Check | None:
    pending = [session for session in sessions if session.pending]
    pending_count = sum(session.pending for session in pending)
    if not pending_count:
        return None
    query = {
        "status": "pending",
        "period_from": report.start.isoformat(),
        "period_to": report.end.isoformat(),
    }
    funding_list = reverse("funding:list") + "?" + urlencode(query)
    return Check(
        "pending_allocations",
        WARNING,
        pending_count,
        ngettext(
            "%(count)d allocation of this fiscal year is still Pending: it is not counted.",
            "%(count)d allocations of this fiscal year are still Pending: they are not counted.",
            pending_count,
        )
        % {"count": pending_count},
        (
            Link(_("Pending funding"), funding_list),
            *(funding_link(session) for session in pending[: MAX_LINKS - 1]),
        ),
    )


def unfunded_enrollments(counted_sessions: list[SessionFacts]) -> Check | None:
    unfunded = [session for session in counted_sessions if session.unfunded]
    unfunded_count = sum(session.unfunded for session in unfunded)
    if not unfunded_count:
        return None
    return Check(
        "unfunded_enrollments",
        WARNING,
        unfunded_count,
        ngettext(
            "%(count)d enrolled learner is unfunded: no approved or paid funding.",
            "%(count)d enrolled learners are unfunded: no approved or paid funding.",
            unfunded_count,
        )
        % {"count": unfunded_count},
        session_links(unfunded),
    )


def missing_nsf(in_f: list[SessionFacts]) -> Check | None:
    no_nsf = [session for session in in_f if not session.nsf_code]
    if not no_nsf:
        return None
    return Check(
        "missing_nsf",
        ERROR,
        len(no_nsf),
        ngettext(
            "%(count)d session's course has no NSF speciality (section F-4).",
            "%(count)d sessions' courses have no NSF speciality (section F-4).",
            len(no_nsf),
        )
        % {"count": len(no_nsf)},
        course_links(no_nsf),
    )


def missing_objective(in_f: list[SessionFacts]) -> Check | None:
    no_objective = [session for session in in_f if not session.objective]
    if not no_objective:
        return None
    return Check(
        "missing_objective",
        ERROR,
        len(no_objective),
        ngettext(
            "%(count)d session's course has no F-3 objective.",
            "%(count)d sessions' courses have no F-3 objective.",
            len(no_objective),
        )
        % {"count": len(no_objective)},
        course_links(no_objective),
    )


def overfunded(counted_sessions: list[SessionFacts]) -> Check | None:
    sessions = [session for session in counted_sessions if session.overfunded]
    overfunded_count = sum(session.overfunded for session in sessions)
    if not overfunded_count:
        return None
    return Check(
        "overfunded",
        WARNING,
        overfunded_count,
        ngettext(
            "%(count)d learner's approved funding exceeds the course price.",
            "%(count)d learners' approved funding exceeds the course price.",
            overfunded_count,
        )
        % {"count": overfunded_count},
        tuple(funding_link(session) for session in sessions[:MAX_LINKS]),
    )


def no_hours(counted_sessions: list[SessionFacts]) -> Check | None:
    sessions = [
        session for session in counted_sessions if not session.hours or not session.exact_hours
    ]
    if not sessions:
        return None
    return Check(
        "no_hours",
        ERROR,
        len(sessions),
        ngettext(
            "%(count)d session has zero hours.",
            "%(count)d sessions have zero hours.",
            len(sessions),
        )
        % {"count": len(sessions)},
        session_links(sessions),
    )


def no_show_funded(sessions: list[SessionFacts]) -> Check | None:
    """The learners recorded with 0 hours whose money counts."""
    no_shows = [session for session in sessions if session.no_show_funded]
    no_show_count = sum(session.no_show_funded for session in no_shows)
    if not no_show_count:
        return None
    return Check(
        "no_show_funded",
        WARNING,
        no_show_count,
        ngettext(
            "%(count)d learner attended none of their session according to its "
            "attendance record, but their funding counts: correct the attendance, or "
            "the funding.",
            "%(count)d learners attended none of their session according to its "
            "attendance record, but their funding counts: correct the attendance, or "
            "the funding.",
            no_show_count,
        )
        % {"count": no_show_count},
        tuple(funding_link(session) for session in no_shows[:MAX_LINKS]),
    )


def attendance_not_recorded(sessions: list[SessionFacts]) -> Check | None:
    """The sessions with past slots where an expected learner has no entry (they count 0 hours)."""
    today = timezone.localdate()
    gaps = [session for session in sessions if session.first_gap and session.first_gap < today]
    if not gaps:
        return None
    return Check(
        "attendance_not_recorded",
        WARNING,
        len(gaps),
        ngettext(
            "%(count)d session has past time slots where a learner's attendance was not "
            "entered: they count 0 hours.",
            "%(count)d sessions have past time slots where a learner's attendance was "
            "not entered: they count 0 hours.",
            len(gaps),
        )
        % {"count": len(gaps)},
        tuple(
            Link(session.reference, reverse("attendance:grid", args=[session.pk]))
            for session in gaps[:MAX_LINKS]
        ),
    )


def subcontracting_mismatch(sessions: list[SessionFacts]) -> Check | None:
    mismatched_sessions = [s for s in sessions if s.funding_mismatch]
    mismatched = len(mismatched_sessions)
    if not mismatched:
        return None
    return Check(
        "subcontracting_mismatch",
        ERROR,
        mismatched,
        ngettext(
            "%(count)d session's funding does not match its delivery: line 10 and "
            "section G must describe the same work. A session sub-contracted to us is "
            'funded by "Another training organisation", and only such a session is.',
            "%(count)d sessions' funding does not match their delivery: line 10 and "
            "section G must describe the same work. A session sub-contracted to us is "
            'funded by "Another training organisation", and only such a session is.',
            mismatched,
        )
        % {"count": mismatched},
        funding_links(mismatched_sessions),
    )


def cancelled_funded(sessions: list[SessionFacts]) -> Check | None:
    cancelled_sessions = [s for s in sessions if s.cancelled_funded]
    count = sum(session.cancelled_funded for session in cancelled_sessions)
    if not count:
        return None
    return Check(
        "cancelled_funded",
        WARNING,
        count,
        ngettext(
            "%(count)d cancelled enrollment still carries approved or paid funding, "
            "which counts nowhere: reject that funding, or change the enrollment's "
            "outcome.",
            "%(count)d cancelled enrollments still carry approved or paid funding, "
            "which counts nowhere: reject that funding, or change the enrollments' "
            "outcome.",
            count,
        )
        % {"count": count},
        funding_links(cancelled_sessions),
    )
