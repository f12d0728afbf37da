"""The mixed funding of one session, learner by learner: the session page's funding section and
its "+ Add funding" offers. Two queries whatever the session's size; keyword-only like the
selectors (tests/test_keyword_only.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from funding.models import COUNTED_STATUSES, FundingAllocation, FundingStatus
from training.models import Enrollment, Session

if TYPE_CHECKING:
    from certeef.models import Membership
    from learners.models import Learner

ZERO = Decimal("0.00")


@dataclass
class LearnerFunding:
    """One enrolled learner of a session and everything that pays for their place."""

    enrollment: Enrollment
    price: Decimal | None  # the course price; None when the course has no price
    allocations: list[FundingAllocation] = field(default_factory=list)
    counted: Decimal = ZERO
    pending: Decimal = ZERO

    @property
    def learner(self) -> Learner:
        return self.enrollment.learner

    @property
    def expected(self) -> Decimal | None:
        """What this place should bring in: nothing for a cancelled enrollment."""
        if self.enrollment.is_cancelled:
            return ZERO
        return self.price

    @property
    def remaining(self) -> Decimal | None:
        """Price − counted: positive = under-funded, negative = over-funded, None = no price."""
        if self.expected is None:
            return None
        return self.expected - self.counted

    @property
    def shortfall(self) -> Decimal:
        """How much the place is under-funded: the counted funding below the price (0 when
        it is not)."""
        remaining = self.remaining
        return remaining if remaining is not None and remaining > 0 else ZERO

    @property
    def overfunded(self) -> Decimal:
        remaining = self.remaining
        return -remaining if remaining is not None and remaining < 0 else ZERO


@dataclass
class SessionFunding:
    session: Session
    learners: list[LearnerFunding]

    @property
    def price_total(self) -> Decimal:
        return sum((row.expected or ZERO for row in self.learners), ZERO)

    @property
    def counted_total(self) -> Decimal:
        return sum((row.counted for row in self.learners), ZERO)

    @property
    def pending_total(self) -> Decimal:
        return sum((row.pending for row in self.learners), ZERO)

    @property
    def shortfall_total(self) -> Decimal:
        return sum((row.shortfall for row in self.learners), ZERO)

    @property
    def overfunded_total(self) -> Decimal:
        return sum((row.overfunded for row in self.learners), ZERO)

    @property
    def underfunded_learners(self) -> int:
        return sum(1 for row in self.learners if row.shortfall > 0)


def session_funding(*, session: Session) -> SessionFunding:
    """Per enrolled learner of `session`: the course price, each allocation (any carrier, any
    status), the counted total (Approved + Paid, approved amounts), the pending total, and the
    under-funded or over-funded remainder. Two queries (enrollments, allocations); the session's
    course should come with it (select_related) or costs one more."""
    enrollments = list(
        Enrollment.objects.filter(session=session)
        # The employer and the individual record: the carriers "+ Add funding" proposes.
        .select_related("learner__employer", "learner__individual")
        .order_by("learner__last_name", "learner__first_name", "pk")
    )
    price = session.course.price
    rows = {enrollment.learner_id: LearnerFunding(enrollment, price) for enrollment in enrollments}
    allocations = (
        FundingAllocation.objects.filter(session=session)
        .select_related("individual", "company")
        .order_by("created_at", "pk")
    )
    for allocation in allocations:
        row = rows.get(allocation.learner_id)
        if row is None:
            # The services refuse an allocation for a learner who is not enrolled; one can only
            # appear here if the enrollment was deleted afterwards. It has no place to show.
            continue
        allocation.learner = row.enrollment.learner
        row.allocations.append(allocation)
        if allocation.status in COUNTED_STATUSES:
            row.counted += allocation.approved_amount
        elif allocation.status == FundingStatus.PENDING:
            row.pending += allocation.approved_amount
    return SessionFunding(session=session, learners=list(rows.values()))


def session_funding_context(session: Session, membership: Membership) -> dict[str, object]:
    """The funding section of a session's page (registered in funding/apps.py; administrators
    only, so the member changes nothing). Positional: the page's registry calls it so
    (training/session_page.py)."""
    return {"funding": session_funding(session=session)}
