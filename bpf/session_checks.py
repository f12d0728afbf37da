"""The BPF checks that the year's sessions' data raise (BPF.md): funding still pending, learners
without counted funding or funded above the course price, courses without an NSF speciality or an
F-3 objective, sessions of zero hours, attendance that contradicts the funding or is missing,
funding that contradicts the delivery, cancelled enrollments still funded.

Each reads what it found among the year's sessions (bpf/session_findings.py: its count, and the
sessions it may link to, latest first), read with the report's own queries: no query of its own.
Each returns its `Check` when it fails, else None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
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
    from bpf.session_findings import Found


def pending_allocations(report: BpfReport, found: Found) -> Check | None:
    pending_count = found.count
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
            *(funding_link(session) for session in found.sessions[: MAX_LINKS - 1]),
        ),
    )


def unfunded_enrollments(found: Found) -> Check | None:
    unfunded_count = found.count
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
        session_links(found.sessions),
    )


def missing_nsf(found: Found) -> Check | None:
    if not found.count:
        return None
    return Check(
        "missing_nsf",
        ERROR,
        found.count,
        ngettext(
            "%(count)d session's course has no NSF speciality (section F-4).",
            "%(count)d sessions' courses have no NSF speciality (section F-4).",
            found.count,
        )
        % {"count": found.count},
        course_links(found.sessions),
    )


def missing_objective(found: Found) -> Check | None:
    if not found.count:
        return None
    return Check(
        "missing_objective",
        ERROR,
        found.count,
        ngettext(
            "%(count)d session's course has no F-3 objective.",
            "%(count)d sessions' courses have no F-3 objective.",
            found.count,
        )
        % {"count": found.count},
        course_links(found.sessions),
    )


def overfunded(found: Found) -> Check | None:
    overfunded_count = found.count
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
        tuple(funding_link(session) for session in found.sessions[:MAX_LINKS]),
    )


def no_hours(found: Found) -> Check | None:
    if not found.count:
        return None
    return Check(
        "no_hours",
        ERROR,
        found.count,
        ngettext(
            "%(count)d session has zero hours.",
            "%(count)d sessions have zero hours.",
            found.count,
        )
        % {"count": found.count},
        session_links(found.sessions),
    )


def no_show_funded(found: Found) -> Check | None:
    """The learners recorded with 0 hours whose money counts."""
    no_show_count = found.count
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
        tuple(funding_link(session) for session in found.sessions[:MAX_LINKS]),
    )


def attendance_not_recorded(found: Found) -> Check | None:
    """The sessions with past slots where an expected learner has no entry (they count 0 hours)."""
    if not found.count:
        return None
    return Check(
        "attendance_not_recorded",
        WARNING,
        found.count,
        ngettext(
            "%(count)d session has past time slots where a learner's attendance was not "
            "entered: they count 0 hours.",
            "%(count)d sessions have past time slots where a learner's attendance was "
            "not entered: they count 0 hours.",
            found.count,
        )
        % {"count": found.count},
        tuple(
            Link(session.reference, reverse("attendance:grid", args=[session.pk]))
            for session in found.sessions[:MAX_LINKS]
        ),
    )


def subcontracting_mismatch(found: Found) -> Check | None:
    mismatched = found.count
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
        funding_links(found.sessions),
    )


def cancelled_funded(found: Found) -> Check | None:
    count = found.count
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
        funding_links(found.sessions),
    )
