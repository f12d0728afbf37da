"""The checks of BPF.md, shown before export: each with a severity, a count and links to fix."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bpf.report import ERROR, WARNING, Check, Link
from certeef.formats import format_euros

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bpf.report import BpfReport
    from bpf.session_facts import SessionFacts

# Enough links to start fixing; the count says how many there are in all.
MAX_LINKS = 5


def _session_link(session: SessionFacts) -> Link:
    return Link(session.reference, reverse("training:session_detail", args=[session.pk]))


def _course_link(session: SessionFacts) -> Link:
    return Link(session.course_title, reverse("training:course_detail", args=[session.course_id]))


def _funding_link(session: SessionFacts) -> Link:
    """The Funding page filtered to one session: its allocations, whoever carries them."""
    query = urlencode({"session": session.pk})
    return Link(session.reference, reverse("funding:list") + "?" + query)


def _session_links(sessions: Iterable[SessionFacts]) -> tuple[Link, ...]:
    return tuple(_session_link(session) for session in list(sessions)[:MAX_LINKS])


def _course_links(sessions: Iterable[SessionFacts]) -> tuple[Link, ...]:
    links: list[Link] = []
    for session in sessions:
        link = _course_link(session)
        if link not in links:
            links.append(link)
    return tuple(links[:MAX_LINKS])


def _inputs_link(report: BpfReport, label: str) -> Link:
    return Link(label, reverse("bpf:report") + f"?year={report.year}#inputs")


def _funding_links(sessions: list[SessionFacts]) -> tuple[Link, ...]:
    """The Funding page of the first sessions (latest first)."""
    return tuple(_funding_link(session) for session in sessions[:MAX_LINKS])


def _scale_suggestion(costs: int, income: int) -> int:
    """The costs moved by the power of ten that brings them nearest the income: what a misplaced
    separator usually hides (38 500,00 read as 3 850 000)."""
    candidates = [costs * 10**shift for shift in range(1, 7)]
    candidates += [costs // 10**shift for shift in range(1, 7) if costs // 10**shift]
    return min(candidates, key=lambda value: abs(math.log(value / income)))


def build_checks(
    report: BpfReport,
    counted_sessions: list[SessionFacts],
    year_sessions: dict[int, SessionFacts],
    last_closed_year: int,
) -> tuple[Check, ...]:
    """Every check that fails, errors first, in BPF.md's order within each severity."""
    checks: list[Check] = []
    in_f = [session for session in counted_sessions if session.in_f]

    pending = [session for session in year_sessions.values() if session.pending]
    pending_count = sum(session.pending for session in pending)
    if pending_count:
        query = {
            "status": "pending",
            "period_from": report.start.isoformat(),
            "period_to": report.end.isoformat(),
        }
        funding_list = reverse("funding:list") + "?" + urlencode(query)
        checks.append(
            Check(
                "pending_allocations",
                WARNING,
                pending_count,
                ngettext(
                    "%(count)d allocation of this fiscal year is still Pending: it is not counted.",
                    "%(count)d allocations of this fiscal year are still Pending: "
                    "they are not counted.",
                    pending_count,
                )
                % {"count": pending_count},
                (
                    Link(_("Pending funding"), funding_list),
                    *(_funding_link(session) for session in pending[: MAX_LINKS - 1]),
                ),
            )
        )

    unfunded = [session for session in counted_sessions if session.unfunded]
    unfunded_count = sum(session.unfunded for session in unfunded)
    if unfunded_count:
        checks.append(
            Check(
                "unfunded_enrollments",
                WARNING,
                unfunded_count,
                ngettext(
                    "%(count)d enrolled learner is unfunded: no approved or paid funding.",
                    "%(count)d enrolled learners are unfunded: no approved or paid funding.",
                    unfunded_count,
                )
                % {"count": unfunded_count},
                _session_links(unfunded),
            )
        )

    unclassified = report.f1["unclassified"].learners
    if unclassified:
        drill = reverse("bpf:drill", args=[report.year, "F1.unclassified"])
        checks.append(
            Check(
                "unclassified_trainees",
                ERROR,
                unclassified,
                ngettext(
                    "%(count)d learner has no F-1 line: set the enrollment's professional status "
                    "at the time of the training, or its F-1 line.",
                    "%(count)d learners have no F-1 line: set each enrollment's professional "
                    "status at the time of the training, or its F-1 line.",
                    unclassified,
                )
                % {"count": unclassified},
                (Link(_("Unclassified learners"), drill),),
            )
        )

    no_nsf = [session for session in in_f if not session.nsf_code]
    if no_nsf:
        checks.append(
            Check(
                "missing_nsf",
                ERROR,
                len(no_nsf),
                ngettext(
                    "%(count)d session's course has no NSF speciality (section F-4).",
                    "%(count)d sessions' courses have no NSF speciality (section F-4).",
                    len(no_nsf),
                )
                % {"count": len(no_nsf)},
                _course_links(no_nsf),
            )
        )

    no_objective = [session for session in in_f if not session.objective]
    if no_objective:
        checks.append(
            Check(
                "missing_objective",
                ERROR,
                len(no_objective),
                ngettext(
                    "%(count)d session's course has no F-3 objective.",
                    "%(count)d sessions' courses have no F-3 objective.",
                    len(no_objective),
                )
                % {"count": len(no_objective)},
                _course_links(no_objective),
            )
        )

    totals = {"(1)": report.f1["total"], "(3)": report.f3["total"], "(4)": report.f4_total}
    differing = [
        code
        for code in ("(3)", "(4)")
        if (totals[code].learners, totals[code].hours)
        != (totals["(1)"].learners, totals["(1)"].hours)
    ]
    if differing:
        checks.append(
            Check(
                "totals_mismatch",
                ERROR,
                len(differing),
                _(
                    "Totals (1), (3) and (4) must be equal; they differ: "
                    "(1) %(f1_learners)d learners, %(f1_hours)d hours; "
                    "(3) %(f3_learners)d learners, %(f3_hours)d hours; "
                    "(4) %(f4_learners)d learners, %(f4_hours)d hours. "
                    "Fix the other checks, or adjust a line by one hour when rounding caused it."
                )
                % {
                    "f1_learners": totals["(1)"].learners,
                    "f1_hours": totals["(1)"].hours,
                    "f3_learners": totals["(3)"].learners,
                    "f3_hours": totals["(3)"].hours,
                    "f4_learners": totals["(4)"].learners,
                    "f4_hours": totals["(4)"].hours,
                },
                (Link(_("Section F"), reverse("bpf:report") + f"?year={report.year}#section-F"),),
            )
        )

    if report.c["total"].value > 0 and not report.inputs.total_costs:
        checks.append(
            Check(
                "costs_missing",
                WARNING,
                1,
                _("Section C shows income but the costs of section D are not filled in."),
                (Link(_("Section D"), reverse("bpf:report") + f"?year={report.year}#inputs"),),
            )
        )

    overfunded = [session for session in counted_sessions if session.overfunded]
    overfunded_count = sum(session.overfunded for session in overfunded)
    if overfunded_count:
        checks.append(
            Check(
                "overfunded",
                WARNING,
                overfunded_count,
                ngettext(
                    "%(count)d learner's approved funding exceeds the course price.",
                    "%(count)d learners' approved funding exceeds the course price.",
                    overfunded_count,
                )
                % {"count": overfunded_count},
                tuple(_funding_link(session) for session in overfunded[:MAX_LINKS]),
            )
        )

    no_hours = [
        session for session in counted_sessions if not session.hours or not session.exact_hours
    ]
    if no_hours:
        checks.append(
            Check(
                "no_hours",
                ERROR,
                len(no_hours),
                ngettext(
                    "%(count)d session has zero hours.",
                    "%(count)d sessions have zero hours.",
                    len(no_hours),
                )
                % {"count": len(no_hours)},
                _session_links(no_hours),
            )
        )

    checks.extend(_attendance_checks(list(year_sessions.values())))

    mismatched_sessions = [s for s in year_sessions.values() if s.funding_mismatch]
    mismatched = len(mismatched_sessions)
    if mismatched:
        checks.append(
            Check(
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
                _funding_links(mismatched_sessions),
            )
        )

    cancelled_sessions = [s for s in year_sessions.values() if s.cancelled_funded]
    cancelled_funded = sum(session.cancelled_funded for session in cancelled_sessions)
    if cancelled_funded:
        checks.append(
            Check(
                "cancelled_funded",
                WARNING,
                cancelled_funded,
                ngettext(
                    "%(count)d cancelled enrollment still carries approved or paid funding, "
                    "which counts nowhere: reject that funding, or change the enrollment's "
                    "outcome.",
                    "%(count)d cancelled enrollments still carry approved or paid funding, "
                    "which counts nowhere: reject that funding, or change the enrollments' "
                    "outcome.",
                    cancelled_funded,
                )
                % {"count": cancelled_funded},
                _funding_links(cancelled_sessions),
            )
        )

    if report.has_data and report.inputs.turnover_share is None:
        checks.append(
            Check(
                "turnover_share_missing",
                WARNING,
                1,
                _(
                    "The share of the turnover made in professional training is not filled in: "
                    "the form asks for it (a whole percentage, at least 1)."
                ),
                (_inputs_link(report, _("Share of turnover")),),
            )
        )

    costs, income = report.inputs.total_costs, report.c["total"].value
    if costs and income > 0 and (costs > 10 * income or costs * 10 < income):
        suggestion = _scale_suggestion(costs, income)
        message = (
            _(
                "The costs of section D (%(costs)s) are more than ten times the income of "
                "section C (%(income)s): did you mean %(suggestion)s?"
            )
            if costs > 10 * income
            else _(
                "The costs of section D (%(costs)s) are less than a tenth of the income of "
                "section C (%(income)s): did you mean %(suggestion)s?"
            )
        )
        checks.append(
            Check(
                "costs_out_of_scale",
                WARNING,
                1,
                message
                % {
                    "costs": format_euros(costs, decimals=0),
                    "income": format_euros(income, decimals=0),
                    "suggestion": format_euros(suggestion, decimals=0),
                },
                (_inputs_link(report, _("Section D")),),
            )
        )

    if report.year > last_closed_year:
        last_closed = reverse("bpf:report") + f"?year={last_closed_year}"
        checks.append(
            Check(
                "year_not_closed",
                WARNING,
                1,
                _(
                    "Fiscal year %(year)d has not ended yet (it ends on %(end)s): filing it now "
                    "would freeze partial figures. The BPF to file is the last closed year's."
                )
                % {"year": report.year, "end": report.end.strftime("%d/%m/%Y")},
                (Link(_("Last closed fiscal year"), last_closed),),
            )
        )

    return tuple(sorted(checks, key=lambda check: check.severity != ERROR))


def _attendance_checks(year_sessions: list[SessionFacts]) -> list[Check]:
    """`no_show_funded` and `attendance_not_recorded` (BPF.md): the learners recorded with 0 hours
    whose money counts, and the sessions with past slots where an expected learner has no entry
    (those count 0 hours)."""
    checks = []
    no_shows = [session for session in year_sessions if session.no_show_funded]
    no_show_count = sum(session.no_show_funded for session in no_shows)
    if no_show_count:
        checks.append(
            Check(
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
                tuple(_funding_link(session) for session in no_shows[:MAX_LINKS]),
            )
        )
    today = timezone.localdate()
    gaps = [session for session in year_sessions if session.first_gap and session.first_gap < today]
    if gaps:
        checks.append(
            Check(
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
        )
    return checks
