"""The one BPF computation: `compute_bpf(organization, year)`.

The page, every export and the `export_bpf` command call it; nothing else computes a figure.

Rules (BPF.md, as data in bpf/rules.py): only Approved and Paid allocations count, at their
approved amount; cancelled enrollments count nowhere (nor do their allocations); a session that
straddles two fiscal years is split by calendar days (inclusive) — its amounts and hours are
pro-rated, each enrollment counts as one learner in each year it touches; each line is rounded
half-up to whole euros or hours and each total is the sum of the rounded lines it adds up.

This module assembles the report (bpf/report.py) from what bpf/session_read.py and
bpf/section_queries.py read — five queries, from the per-session summaries, whatever the number
of sessions, allocations and enrollments: the sessions inside the year summed in the database,
only those that straddle it (or that a check names) read one by one — and adds the checks
(bpf/checks.py, counted by bpf/session_findings.py). The drill-down and the
detailed exports list the allocations and enrollments themselves (bpf/counted_rows.py), and
their sums equal these lines (the tests check it).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from bpf import labels
from bpf.checks import build_checks
from bpf.models import BpfInputs
from bpf.report import (
    C_CODES,
    C_DETAIL_CODES,
    F1_LINES,
    F3_LINES,
    F4_TOP,
    Amount,
    BpfReport,
    Figure,
    Identity,
    Inputs,
    Speciality,
)
from bpf.rules import OBJECTIVE_F3, largest_remainder, round_half_up
from bpf.section_queries import read_f1, read_section_c, section_c
from bpf.session_facts import SessionFacts, SessionGroup
from bpf.session_findings import findings
from bpf.session_read import read_sessions
from training.models import Delivery
from training.nsf import nsf_labels

if TYPE_CHECKING:
    from certeef.models import Organization

ZERO = Decimal(0)


@dataclass
class _Tally:
    learners: int = 0
    hours: Decimal = ZERO

    def add(self, learners: int, hours: Decimal) -> None:
        self.learners += learners
        self.hours += hours

    def figure(self) -> Figure:
        """A single line (F-2, G, the distance count): hours rounded half-up."""
        return Figure(self.learners, round_half_up(self.hours), self.hours)


def apportioned(tallies: list[_Tally], total: int | None = None) -> list[Figure]:
    """The lines of a section, in the form's order, their hours rounded by largest remainder
    (bpf/rules.py): they add up to the section's rounded exact total (or to `total`)."""
    hours = largest_remainder([tally.hours for tally in tallies], total)
    return [
        Figure(tally.learners, rounded, tally.hours)
        for tally, rounded in zip(tallies, hours, strict=True)
    ]


def sum_figures(figures: Iterable[Figure]) -> Figure:
    """A total line: the sum of the rounded lines it adds up."""
    figures = list(figures)
    return Figure(
        sum(figure.learners for figure in figures),
        sum(figure.hours for figure in figures),
        sum((figure.exact_hours for figure in figures), ZERO),
    )


@dataclass
class _Facts:
    f1: dict[str, _Tally] = field(default_factory=dict)
    f1_distance: _Tally = field(default_factory=_Tally)
    f2: _Tally = field(default_factory=_Tally)
    f3: dict[str, _Tally] = field(default_factory=dict)
    f4: dict[str, _Tally] = field(default_factory=dict)
    f4_unclassified: _Tally = field(default_factory=_Tally)
    g: _Tally = field(default_factory=_Tally)


def _add_sessions(facts: _Facts, sessions: Iterable[SessionGroup | SessionFacts]) -> None:
    """Sections F-1 (at a distance), F-2, F-3, F-4 and G, from the counted learners and hours of
    each group of sessions inside the year and of each session that straddles it (those with
    learners counted in the year)."""
    for session in sessions:
        learners, hours = session.learners, session.exact_hours
        if not session.in_f:
            facts.g.add(learners, hours)
            continue
        if session.distance:
            facts.f1_distance.add(learners, hours)
        if session.delivery == Delivery.SUBCONTRACTED_OUT:
            facts.f2.add(learners, hours)
        f3_line = OBJECTIVE_F3.get(session.objective, "unclassified")
        facts.f3.setdefault(f3_line, _Tally()).add(learners, hours)
        if session.nsf_code:
            facts.f4.setdefault(session.nsf_code, _Tally()).add(learners, hours)
        else:
            facts.f4_unclassified.add(learners, hours)


def _section_c(c_exact: dict[str, Decimal]) -> dict[str, Amount]:
    lines = {code: c_exact.get(code, ZERO) for code in C_DETAIL_CODES}
    amounts = {code: Amount(round_half_up(exact), exact) for code, exact in lines.items()}

    def total(codes: Iterable[str]) -> Amount:
        return Amount(
            sum(amounts[code].value for code in codes),
            sum((amounts[code].exact for code in codes), ZERO),
        )

    amounts["2"] = total(labels.C_OPCO_LINES)
    amounts["total"] = total(
        ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"),
    )
    return {code: amounts[code] for code in C_CODES}


F3_TOP_LINES = ("b", "c", "d", "e", "f", "unclassified")


def _section_f3(tallies: dict[str, _Tally]) -> dict[str, Figure]:
    """Lines a…f (and the unclassified row, last) apportioned first, then line a's rounded hours
    over its six "dont" sub-lines (BPF.md)."""
    subs = [tallies.get(key, _Tally()) for key in labels.F3_A_SUBLINES]
    a_tally = _Tally()
    for sub in subs:
        a_tally.add(sub.learners, sub.hours)
    top = apportioned([a_tally, *(tallies.get(key, _Tally()) for key in F3_TOP_LINES)])
    sub_figures = apportioned(subs, total=top[0].hours)
    lines = {
        **dict(zip(labels.F3_A_SUBLINES, sub_figures, strict=True)),
        **dict(zip(F3_TOP_LINES, top[1:], strict=True)),
    }
    return {"a": top[0], **{key: lines[key] for key in F3_LINES}, "total": sum_figures(top)}


def rank_specialities(tallies: dict[str, _Tally]) -> list[str]:
    """NSF codes ranked by exact hours, then learners, then code (BPF.md)."""
    return sorted(tallies, key=lambda code: (-tallies[code].hours, -tallies[code].learners, code))


def _section_f4(facts: _Facts) -> tuple[tuple[Speciality, ...], Figure, Figure, Figure]:
    """The five main specialities, "Autres spécialités" and the unclassified row (last), their
    hours apportioned together."""
    ranked = rank_specialities(facts.f4)
    rest = _Tally()
    for code in ranked[F4_TOP:]:
        rest.add(facts.f4[code].learners, facts.f4[code].hours)
    top_codes = ranked[:F4_TOP]
    figures = apportioned([*(facts.f4[code] for code in top_codes), rest, facts.f4_unclassified])
    names = nsf_labels()
    top = tuple(
        Speciality(code, names.get(code, ""), figure)
        for code, figure in zip(top_codes, figures, strict=False)
    )
    other, unclassified = figures[-2], figures[-1]
    return top, other, unclassified, sum_figures(figures)


def identity_of(organization: Organization) -> Identity:
    return Identity(
        name=organization.name,
        slug=organization.slug,
        legal_form=organization.legal_form,
        siret=organization.siret,
        naf_code=organization.naf_code,
        nda=organization.nda,
        address=organization.address,
        postal_code=organization.postal_code,
        city=organization.city,
        phone=organization.phone,
        email=organization.email,
        address_public=organization.address_public,
    )


def _inputs_of(organization: Organization, year: int) -> Inputs:
    stored = BpfInputs.objects.filter(organization=organization, fiscal_year=year).first()
    if stored is None:
        return Inputs()
    return Inputs(
        **{name: getattr(stored, name) for name in Inputs.__dataclass_fields__},
    )


def compute_bpf(organization: Organization, year: int, *, with_checks: bool = True) -> BpfReport:
    """The BPF of `organization` for fiscal year `year` (the one that ends in calendar `year`).
    Without checks when only its computed figures are wanted (last year's, beside this year's):
    then neither checked nor with what was typed for the year (sections D, E, H)."""
    start, end = organization.fiscal_year_bounds(year)
    today = timezone.localdate()
    section_c_rows = read_section_c(organization, start, end)
    sessions = read_sessions(
        organization, start, end, today if with_checks else None, section_c_rows.mismatched
    )
    facts = _Facts()
    for group in read_f1(organization, start, end, sessions.straddling):
        facts.f1.setdefault(group.line, _Tally()).add(group.learners, group.hours)
    summed: list[SessionGroup | SessionFacts] = [*sessions.groups, *sessions.straddling.values()]
    counted = [session for session in summed if session.learners]
    _add_sessions(facts, counted)

    f1_lines = dict(
        zip(F1_LINES, apportioned([facts.f1.get(key, _Tally()) for key in F1_LINES]), strict=True)
    )
    f1 = {**f1_lines, "total": sum_figures(f1_lines.values())}
    f4, f4_other, f4_unclassified, f4_total = _section_f4(facts)
    report = BpfReport(
        organization=identity_of(organization),
        organization_id=organization.pk,
        year=year,
        start=start,
        end=end,
        form=labels.form_version(year),
        has_data=bool(counted),
        distance=any(session.distance for session in counted),
        c=_section_c(section_c(section_c_rows, sessions.straddling)),
        f1=f1,
        f1_distance=facts.f1_distance.figure(),
        f2=facts.f2.figure(),
        f3=_section_f3(facts.f3),
        f4=f4,
        f4_other=f4_other,
        f4_unclassified=f4_unclassified,
        f4_total=f4_total,
        g=facts.g.figure(),
        # Figures only (last year's, beside this year's): neither checks nor what was typed.
        inputs=_inputs_of(organization, year) if with_checks else Inputs(),
        checks=(),
    )
    if not with_checks:
        return report
    checks = build_checks(
        report,
        findings(sessions, today),
        last_closed_year=organization.fiscal_year_of(today) - 1,
    )
    return dataclasses.replace(report, checks=checks)


# ---------------------------------------------------------------------------------------------
# Which year


def default_fiscal_year(
    organization: Organization, years: list[int], today: datetime.date
) -> int | None:
    """The last closed fiscal year if it has data (that is the one to file), else the newest."""
    if not years:
        return None
    last_closed = organization.fiscal_year_of(today) - 1
    return last_closed if last_closed in years else years[0]
