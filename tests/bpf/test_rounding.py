"""Hours rounded by largest remainder in F-1, F-3 and F-4 (BPF.md), so that totals (1), (3) and
(4) are equal by construction. Every figure below is computed by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bpf.computation import compute_bpf
from bpf.rules import largest_remainder
from tests.conftest import make_course, make_enrollment, make_session
from training.models import Objective

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("exact", "expected"),
    [
        # Sum 4.0 → 4: floors 1 + 1 + 1, one hour missing; a tie goes to the line first.
        (["1.5", "1.5", "1.0"], [2, 1, 1]),
        # Sum 4.5 → 5: two hours missing, to the two largest fractional parts (.9 then .6).
        (["1.6", "1.0", "2.9"], [2, 1, 3]),
        # Sum 2.4 → 2: the fractions .2 + .2 are never rounded up.
        (["1.2", "1.2"], [1, 1]),
        ([], []),
        (["0", "0.5"], [0, 1]),
    ],
)
def test_largest_remainder(exact, expected):
    assert largest_remainder([Decimal(value) for value in exact]) == expected


def test_a_given_total_is_spread_over_the_sub_lines():
    # Line a rounded to 3 over 1.5 + 1.5: 1 + 1, the missing hour to the first sub-line.
    assert largest_remainder([Decimal("1.5"), Decimal("1.5")], total=3) == [2, 1]


def test_f1_f3_f4_lines_add_up_to_equal_totals(organization):
    """Three learners of 1,5 h on F-1 lines a, b and c (their override), in sessions whose
    courses are RNCP level 5 (F-3 a, "dont niveau 5"), RNCP level 4 ("dont niveau 4") and RS
    (F-3 b), with NSF 326, 312 and 326; a fourth learner of 1,4 h on line a, RS, NSF 312.
    Exact total 5,9 h → 6 h.

    Half-up line by line would give F-1 2 + 2 + 2 + … ≠ F-3 ≠ F-4. By largest remainder:
    - F-1: a 2,9 → 2 (.9), b 1,5 → 1 (.5), c 1,5 → 1 (.5): 4, two missing → a (.9), then b
      (.5, first on the form before c): a 3, b 2, c 1 = 6.
    - F-3: a 3,0 → 3 (.0), b 2,9 → 2 (.9): 5, one missing → b: a 3, b 3 = 6; then a's 3 over
      "niveau 5" 1,5 and "niveau 4" 1,5: 1 + 1, one missing → niveau 5 (first): 2 and 1.
    - F-4: 326 3,0 h and 312 2,9 h; ranked by exact hours: 326 (3,0 → 3), 312 (2,9 → 2 + 1):
      3 + 3 = 6.
    """
    level_5 = make_course(organization, nsf_code="326", objective=Objective.RNCP_5)
    level_4 = make_course(organization, nsf_code="312", objective=Objective.RNCP_4)
    rs_326 = make_course(organization, nsf_code="326", objective=Objective.RS)
    rs_312 = make_course(organization, nsf_code="312", objective=Objective.RS)
    for course, override, hours in (
        (level_5, "a", "1.5"),
        (level_4, "b", "1.5"),
        (rs_326, "c", "1.5"),
        (rs_312, "a", "1.4"),
    ):
        session = make_session(organization, course)
        make_enrollment(session, hours_attended=Decimal(hours), trainee_type_override=override)
    report = compute_bpf(organization, 2025)

    f1 = {line: report.f1[line].hours for line in ("a", "b", "c", "d", "e", "total")}
    assert f1 == {"a": 3, "b": 2, "c": 1, "d": 0, "e": 0, "total": 6}
    f3 = {line: report.f3[line].hours for line in ("a", "a_5", "a_4", "b", "total")}
    assert f3 == {"a": 3, "a_5": 2, "a_4": 1, "b": 3, "total": 6}
    assert [(s.code, s.figure.hours) for s in report.f4] == [("326", 3), ("312", 3)]
    assert report.f4_total.hours == 6
    assert report.f1["total"].learners == report.f3["total"].learners == 4
    assert report.f4_total.learners == 4
    assert "totals_mismatch" not in {check.code for check in report.checks}
