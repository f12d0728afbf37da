"""Helpers of the attendance tests: a session with a schedule, its learners, a trainer of it."""

from __future__ import annotations

import datetime

import pytest

from attendance import schedule_services
from attendance.models import SessionTrainer
from attendance.schedule import Pattern, TimeRange
from certeef.models import Membership
from tests.conftest import make_enrollment, make_session

MORNING = TimeRange(datetime.time(9, 0), datetime.time(12, 30))
AFTERNOON = TimeRange(datetime.time(13, 30), datetime.time(17, 0))


def schedule(session, first=None, last=None, ranges=(MORNING, AFTERNOON), weekdays=range(5)):
    """Weekdays of the session, morning and afternoon (through the service)."""
    return schedule_services.schedule_generate(
        organization=session.organization,
        session=session,
        pattern=Pattern(
            first=first or session.start_date,
            last=last or session.end_date,
            weekdays=frozenset(weekdays),
            ranges=tuple(ranges),
        ),
    ).created


def assign(session, user) -> None:
    membership = Membership.objects.get(user=user, organization=session.organization)
    SessionTrainer.objects.create(
        organization=session.organization, session=session, membership=membership
    )


@pytest.fixture
def scheduled(organization):
    """A past session of two days (Monday 3 and Tuesday 4 March 2025), 4 slots of 3,5 h, with
    three learners."""
    session = make_session(
        organization,
        start_date=datetime.date(2025, 3, 3),
        end_date=datetime.date(2025, 3, 4),
    )
    slots = schedule(session)
    enrollments = [make_enrollment(session) for _ in range(3)]
    session.refresh_from_db()
    return session, slots, enrollments
