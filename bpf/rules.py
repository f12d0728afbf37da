"""The BPF's rules (BPF.md), as data: which F-1 line an enrollment goes to, which F-3 line a
course's objective feeds, how a session straddling two fiscal years is shared, how figures round.

The line of section C each funding type feeds is `funding.types.BPF_LINE`: it is defined with the
funding types, because the Funding page and its exports show it too (and funding sits below bpf).
The queries (bpf/session_read.py, bpf/section_queries.py, with the F-1 table as ORM in
bpf/f1_expressions.py) apply these rules in the database; the assembly (bpf/computation.py) adds
the results up.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from funding.types import (
    FUNDING_CODE_APPRENTICESHIP,
    FUNDING_CODE_FRANCE_TRAVAIL,
    FUNDING_CODE_SELF_FUNDED,
)
from learners.models import ProfessionalStatus
from training.models import Objective

# Section F-3: the line each course objective feeds (the six RNCP ones are the "dont" sub-lines
# of line a).
OBJECTIVE_F3: dict[str, str] = {
    Objective.RNCP_6_8: "a_6_8",
    Objective.RNCP_5: "a_5",
    Objective.RNCP_4: "a_4",
    Objective.RNCP_3: "a_3",
    Objective.RNCP_2: "a_2",
    Objective.RNCP_CQP: "a_cqp",
    Objective.RS: "b",
    Objective.CQP: "c",
    Objective.OTHER: "d",
    Objective.SKILLS_ASSESSMENT: "e",
    Objective.VAE: "f",
}

# ---------------------------------------------------------------------------------------------
# Section F-1: an enrollment's line is given by the first rule that applies.

# Rule 5: the professional status at the time of the training (on the enrollment) → F-1 line.
STATUS_F1: dict[str, str] = {
    ProfessionalStatus.PRIVATE_EMPLOYEE: "a",
    ProfessionalStatus.APPRENTICE: "b",
    ProfessionalStatus.JOB_SEEKER: "c",
    ProfessionalStatus.SELF_EMPLOYED: "e",
    ProfessionalStatus.PUBLIC_AGENT: "e",
    ProfessionalStatus.OTHER: "e",
}

# What each rule says, for the drill-down and the detailed export (which rule classified whom).
F1_RULES: dict[int, str] = {
    1: "the enrollment's own override",
    2: "every counted allocation is self-funded",
    3: "a counted allocation is France Travail",
    4: "a counted allocation is an OPCO apprenticeship contract",
    5: "the professional status at the time of the training",
    6: "no rule applies",
}


@dataclass(frozen=True)
class F1Rule:
    """One F-1 rule (BPF.md): it applies when the enrollment's `field` equals `value`, and gives
    `line`. A rule without a value applies when the field is set, and the field is the line."""

    number: int
    field: str
    value: str | int | None = None
    line: str = ""


# The one definition of the F-1 rules, in order. The drill-down's annotation of enrollments and
# the computation's annotation of enrollment tallies are both built from it.
F1_RULE_TABLE: tuple[F1Rule, ...] = (
    F1Rule(1, "override"),
    F1Rule(2, "funding_code", FUNDING_CODE_SELF_FUNDED, "d"),
    F1Rule(3, "funding_code", FUNDING_CODE_FRANCE_TRAVAIL, "c"),
    F1Rule(4, "funding_code", FUNDING_CODE_APPRENTICESHIP, "b"),
    *(F1Rule(5, "professional_status", status, line) for status, line in STATUS_F1.items()),
)
F1_UNCLASSIFIED_RULE = 6


# ---------------------------------------------------------------------------------------------
# Rounding and pro-rating (BPF.md, "Period and amounts")


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def largest_remainder(exact: Sequence[Decimal], total: int | None = None) -> list[int]:
    """Whole numbers for the non-negative `exact` values (in the form's order) that add up to
    `total` — by default the exact sum rounded half-up (BPF.md): each line gets its exact value
    rounded down, then the units still missing go one each to the lines with the largest
    fractional parts, ties to the line first on the form. So a section's lines add up to its
    total, and totals (1), (3) and (4) are equal by construction."""
    if total is None:
        total = round_half_up(sum(exact, Decimal(0)))
    floors = [int(value.to_integral_value(rounding=ROUND_FLOOR)) for value in exact]
    # Between 0 and the number of lines with a fractional part, when `total` is the default
    # (the rounded sum exceeds the floors' sum by less than the fractions' sum + 1/2).
    missing = total - sum(floors)
    ranked = sorted(range(len(exact)), key=lambda index: (floors[index] - exact[index], index))
    for index in ranked[:missing]:
        floors[index] += 1
    return floors


def days_in_year(
    session_start: datetime.date,
    session_end: datetime.date,
    year_start: datetime.date,
    year_end: datetime.date,
) -> tuple[int, int]:
    """(days of the session inside the fiscal year, days of the whole session), both inclusive."""
    first, last = max(session_start, year_start), min(session_end, year_end)
    inside = (last - first).days + 1 if last >= first else 0
    return inside, (session_end - session_start).days + 1


# The unit of a straddling session's share of a year: its calendar days, or, when it has a
# schedule, the minutes of its slots.
DAYS, SCHEDULED_MINUTES = "days", "minutes"


def minutes_in_hours(minutes: int) -> Decimal:
    """Minutes attended as exact hours (not rounded to the cent: a line rounds once)."""
    return Decimal(minutes) / 60


def prorate(value: Decimal, inside: int, whole: int) -> Decimal:
    """The share of `value` that belongs to the year: accrual by service rendered."""
    if inside == whole:
        return value
    return value * inside / whole
