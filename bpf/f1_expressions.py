"""The F-1 rule table (bpf/rules.py) as ORM expressions: the line, and the rule that chose it, of an
enrollment, of a session's enrollment tally or of an attendance entry, computed by the database.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Case, CharField, F, IntegerField, Q, Value, When

from bpf.rules import F1_RULE_TABLE, F1_UNCLASSIFIED_RULE

# Where each field an F-1 rule reads is, on an enrollment (`counted_enrollments`: the drill-down
# and the detailed exports), on a session's enrollment tally (`read_f1`) and on an attendance
# entry (a straddling session's attendance, `read_f1`).
_F1_FIELDS: dict[str, tuple[str, str, str]] = {
    "override": (
        "trainee_type_override",
        "trainee_type_override",
        "enrollment__trainee_type_override",
    ),
    "funding_code": ("funding_code", "funding_code", "enrollment__funding_code"),
    "professional_status": (
        "professional_status",
        "professional_status",
        "enrollment__professional_status",
    ),
}
ON_ENROLLMENT, ON_TALLY, ON_ATTENDANCE = 0, 1, 2


class F1Condition(NamedTuple):
    """One rule of the table as ORM: when `condition` holds, the line is `line`."""

    condition: Q
    line: F | Value
    rule: int  # its number in the table


def f1_conditions(on: int) -> list[F1Condition]:
    """The F-1 rules as ORM, on an enrollment, a tally or an attendance entry (`on`)."""
    conditions: list[F1Condition] = []
    for rule in F1_RULE_TABLE:
        lookup = _F1_FIELDS[rule.field][on]
        if rule.value is None:
            conditions.append(F1Condition(~Q(**{lookup: ""}), F(lookup), rule.number))
        else:
            conditions.append(F1Condition(Q(**{lookup: rule.value}), Value(rule.line), rule.number))
    return conditions


def f1_line(on: int) -> Case:
    """The F-1 line the first matching rule gives ("unclassified" when none does)."""
    return Case(
        *[When(rule.condition, then=rule.line) for rule in f1_conditions(on)],
        default=Value("unclassified"),
        output_field=CharField(),
    )


def f1_rule(on: int) -> Case:
    """The number of the rule that chose the line (F1_UNCLASSIFIED_RULE when none did)."""
    return Case(
        *[When(rule.condition, then=Value(rule.rule)) for rule in f1_conditions(on)],
        default=Value(F1_UNCLASSIFIED_RULE),
        output_field=IntegerField(),
    )
