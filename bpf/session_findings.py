"""What each check on the year's sessions counts (bpf/session_checks.py), defined twice side by
side: in Python, for a session read on its own (`SessionFacts`), and as an ORM expression, for
the sessions inside the year, summed in the database (bpf/session_groups.py). A check counts
learners, allocations or sessions; it links to the first few sessions it finds, latest first.

The sessions inside the year are not read one by one: the database gives each check's count over
them, and the rows of the sessions it must name — for each check the first `MAX_LINKS` it finds,
or for a check that links to courses the first session of each course it finds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Case, F, IntegerField, Q, Value, When

from training.models import Delivery

if TYPE_CHECKING:
    import datetime

    from django.db.models.expressions import Combinable

    from bpf.session_facts import SessionFacts, YearSessions


@dataclass
class Found:
    """What a check found among the year's sessions: its count and the sessions it may name,
    latest first (the check links to the first few)."""

    count: int = 0
    sessions: list[SessionFacts] = field(default_factory=list)


@dataclass(frozen=True)
class SessionCount:
    """A check's count for one session: `of_session` in Python, `in_database` as ORM on a session
    of the year annotated by bpf/session_facts.py (`learners`, `exact_hours`, its summary's
    figures…), both given today's date. `by_course`: the check links to courses."""

    code: str
    of_session: Callable[[SessionFacts, datetime.date], int]
    in_database: Callable[[datetime.date], Combinable]
    by_course: bool = False


def _when(condition: Q, then: Combinable | int = 1) -> Case:
    then_value = Value(then) if isinstance(then, int) else then
    return Case(When(condition, then=then_value), default=Value(0), output_field=IntegerField())


# Learners counted in the year (their session has some: see `SessionFacts.learners`).
COUNTED = Q(learners__gt=0)
IN_F = ~Q(delivery=Delivery.SUBCONTRACTED_IN)


# In bpf/checks.py's order. Each Python function is the ORM expression beside it, for a session
# read whole (a session that straddles the year is always read on its own, in Python).
SESSION_COUNTS: tuple[SessionCount, ...] = (
    SessionCount(
        "pending_allocations",
        lambda session, _today: session.pending,
        lambda _today: F("pending"),
    ),
    SessionCount(
        "unfunded_enrollments",
        lambda session, _today: session.unfunded if session.learners else 0,
        lambda _today: _when(COUNTED, F("unfunded")),
    ),
    SessionCount(
        "missing_nsf",
        lambda session, _today: int(
            bool(session.learners and session.in_f and not session.nsf_code)
        ),
        lambda _today: _when(COUNTED & IN_F & Q(nsf_code="")),
        by_course=True,
    ),
    SessionCount(
        "missing_objective",
        lambda session, _today: int(
            bool(session.learners and session.in_f and not session.objective)
        ),
        lambda _today: _when(COUNTED & IN_F & Q(objective="")),
        by_course=True,
    ),
    SessionCount(
        "overfunded",
        lambda session, _today: session.overfunded if session.learners else 0,
        lambda _today: _when(COUNTED, F("overfunded")),
    ),
    SessionCount(
        "no_hours",
        lambda session, _today: int(
            bool(session.learners and (not session.hours or not session.exact_hours))
        ),
        lambda _today: _when(COUNTED & (Q(hours=0) | Q(exact_hours=0))),
    ),
    SessionCount(
        "no_show_funded",
        lambda session, _today: session.no_show_funded,
        lambda _today: F("no_show_funded"),
    ),
    SessionCount(
        "attendance_not_recorded",
        lambda session, today: int(session.first_gap is not None and session.first_gap < today),
        lambda today: _when(Q(first_gap__lt=today)),
    ),
    SessionCount(
        "subcontracting_mismatch",
        lambda session, _today: int(session.funding_mismatch),
        lambda _today: _when(Q(funding_mismatch=True)),
    ),
    SessionCount(
        "cancelled_funded",
        lambda session, _today: session.cancelled_funded,
        lambda _today: F("cancelled_funded"),
    ),
)


def findings(year: YearSessions, today: datetime.date) -> dict[str, Found]:
    """Each check's count — over the sessions summed in the database, plus those read on their
    own that it counts (the straddling ones; a session named by a check is also in a group) — and
    the sessions read that it counts, latest first."""
    found = {}
    for check in SESSION_COUNTS:
        count = year.counts.get(check.code, 0)
        count += sum(check.of_session(session, today) for session in year.straddling.values())
        named = [session for session in year.read if check.of_session(session, today)]
        found[check.code] = Found(count, named)
    return found
