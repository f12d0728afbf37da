"""What attendance adds to a session's page and to a learner's page (registered in apps.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attendance.access import assigned_session_ids, may_record
from attendance.selectors import (
    days_of,
    followed_hours,
    session_slots,
    session_trainers,
    trainer_name,
    weeks_of,
)

if TYPE_CHECKING:
    from certeef.models import Membership
    from learners.models import Learner
    from training.models import Session


def session_section_context(session: Session, membership: Membership) -> dict[str, object]:
    """The schedule in a few figures, the trainers, and the links this member may follow."""
    slots = session_slots(session=session)
    days = days_of(slots=slots)
    return {
        "session": session,
        "slot_count": len(slots),
        "days": days,
        "weeks": weeks_of(days=days),
        "scheduled_minutes": sum(slot.minutes for slot in slots),
        "trainers": [trainer_name(membership=m) for m in session_trainers(session=session)],
        "may_record": may_record(membership, session.pk),
        "is_administrator": membership.is_administrator,
    }


def learner_section_context(learner: Learner, membership: Membership) -> dict[str, object]:
    """The hours the learner followed in each session, where they come from, and the link to
    each certificate this member may print."""
    enrollments = list(
        learner.enrollments.not_cancelled()
        .select_related("session__course")
        .order_by("-session__start_date", "pk")
    )
    hours = followed_hours(enrollments=enrollments)
    printable = assigned_session_ids(membership, [e.session_id for e in enrollments])
    return {
        "rows": [
            {
                "enrollment": enrollment,
                "followed": hours[enrollment.pk],
                "may_print": enrollment.session_id in printable,
            }
            for enrollment in enrollments
        ]
    }
