"""The BPF checks that the report's own figures and the figures typed in its form raise (BPF.md):
learners without an F-1 line, totals (1), (3) and (4) that differ, costs of section D missing or
out of scale with the income, the share of turnover missing, a fiscal year not ended yet.

Each returns its `Check` when it fails, else None.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bpf.check_links import inputs_link, report_link
from bpf.report import ERROR, WARNING, Check, Link
from certeef.formats import format_euros

if TYPE_CHECKING:
    from bpf.report import BpfReport


def unclassified_trainees(report: BpfReport) -> Check | None:
    unclassified = report.f1["unclassified"].learners
    if not unclassified:
        return None
    drill = reverse("bpf:drill", args=[report.year, "F1.unclassified"])
    return Check(
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


def totals_mismatch(report: BpfReport) -> Check | None:
    totals = {"(1)": report.f1["total"], "(3)": report.f3["total"], "(4)": report.f4_total}
    differing = [
        code
        for code in ("(3)", "(4)")
        if (totals[code].learners, totals[code].hours)
        != (totals["(1)"].learners, totals["(1)"].hours)
    ]
    if not differing:
        return None
    return Check(
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
        (report_link(report, _("Section F"), "section-F"),),
    )


def costs_missing(report: BpfReport) -> Check | None:
    if not (report.c["total"].value > 0 and not report.inputs.total_costs):
        return None
    return Check(
        "costs_missing",
        WARNING,
        1,
        _("Section C shows income but the costs of section D are not filled in."),
        (inputs_link(report, _("Section D")),),
    )


def turnover_share_missing(report: BpfReport) -> Check | None:
    if not (report.has_data and report.inputs.turnover_share is None):
        return None
    return Check(
        "turnover_share_missing",
        WARNING,
        1,
        _(
            "The share of the turnover made in professional training is not filled in: "
            "the form asks for it (a whole percentage, at least 1)."
        ),
        (inputs_link(report, _("Share of turnover")),),
    )


def scale_suggestion(costs: int, income: int) -> int:
    """The costs moved by the power of ten that brings them nearest the income: what a misplaced
    separator usually hides (38 500,00 read as 3 850 000)."""
    candidates = [costs * 10**shift for shift in range(1, 7)]
    candidates += [costs // 10**shift for shift in range(1, 7) if costs // 10**shift]
    return min(candidates, key=lambda value: abs(math.log(value / income)))


def costs_out_of_scale(report: BpfReport) -> Check | None:
    costs, income = report.inputs.total_costs, report.c["total"].value
    if not (costs and income > 0 and (costs > 10 * income or costs * 10 < income)):
        return None
    suggestion = scale_suggestion(costs, income)
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
    return Check(
        "costs_out_of_scale",
        WARNING,
        1,
        message
        % {
            "costs": format_euros(costs, decimals=0),
            "income": format_euros(income, decimals=0),
            "suggestion": format_euros(suggestion, decimals=0),
        },
        (inputs_link(report, _("Section D")),),
    )


def year_not_closed(report: BpfReport, last_closed_year: int) -> Check | None:
    if report.year <= last_closed_year:
        return None
    last_closed = reverse("bpf:report") + f"?year={last_closed_year}"
    return Check(
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
