"""What recording attendance costs: a fixed number of queries whatever the number of learners.

Saving one cell and marking a whole slot present go through training's entry point as changes to
attendance only (training/changes.py): the session locked, then only what attendance feeds
refreshed — the enrollments' hours recorded, the session's attendance gap, the hours figures of
its summaries — set-based. The same budget at 3 and at 30 learners fails as soon as a query runs
once per learner; the summaries are checked against a rebuild after each test (tests/conftest.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance import recording
from attendance.models import Attendance, AttendanceGap, AttendanceStatus
from tests.attendance.conftest import schedule
from tests.conftest import make_enrollment, make_session

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# The request (its session, user, membership, the session recorded), the lock, the cells' slots,
# enrollments and entries, the write and its history, the refresh (the session's expected
# learners and its slots' entries for the gap, the hours recorded read and written, the session
# summary and its tallies), the cells and totals sent back; the savepoint and its release.
CELL_BUDGET = 21
# As above, with the slot read and the learners missing from it instead of the cells' reads, and
# the attendance gap moved to the next slot (deleted and written again).
SLOT_BUDGET = 22


@pytest.fixture
def grid_of(organization):
    def build(learners: int):
        session = make_session(
            organization, start_date=datetime.date(2025, 3, 3), end_date=datetime.date(2025, 3, 7)
        )
        slots = schedule(session)
        enrollments = [make_enrollment(session) for _ in range(learners)]
        recording.slot_mark_present(organization=organization, slot=slots[0], user=None)
        return session, slots, enrollments

    return build


@pytest.mark.parametrize("learners", [3, 30])
def test_saving_one_cell_costs_the_same_whatever_the_number_of_learners(
    admin_client, grid_of, django_assert_max_num_queries, learners
):
    session, slots, enrollments = grid_of(learners)
    url = reverse("attendance:grid", args=[session.pk])
    with django_assert_max_num_queries(CELL_BUDGET):
        response = admin_client.post(
            url, {f"s-{enrollments[0].pk}-{slots[0].pk}": AttendanceStatus.ABSENT}, **HTMX
        )
    assert response.status_code == 200
    entry = Attendance.objects.get(slot=slots[0], enrollment=enrollments[0])
    assert (entry.status, entry.minutes) == (AttendanceStatus.ABSENT, 0)
    enrollments[0].refresh_from_db()
    assert enrollments[0].hours_recorded == 0


@pytest.mark.parametrize("learners", [3, 30])
def test_marking_a_whole_slot_present_costs_the_same_whatever_the_number_of_learners(
    admin_client, admin_user, grid_of, django_assert_max_num_queries, learners
):
    session, slots, enrollments = grid_of(learners)
    url = reverse("attendance:grid", args=[session.pk])
    with django_assert_max_num_queries(SLOT_BUDGET):
        response = admin_client.post(url, {"all_present": slots[1].pk}, **HTMX)
    assert response.status_code == 200
    assert Attendance.objects.filter(slot=slots[1], status=AttendanceStatus.PRESENT).count() == (
        learners
    )
    # Each entry written is in the history, by the user who recorded it.
    created = Attendance.history.filter(history_type="+", id__in=slots[1].attendances.all())
    assert created.count() == learners
    assert set(created.values_list("history_user", flat=True)) == {admin_user.pk}
    for enrollment in enrollments:
        enrollment.refresh_from_db()
        assert enrollment.hours_recorded == 7


def test_a_cell_refreshes_every_learner_when_the_session_gains_or_loses_its_record(
    admin_client, scheduled
):
    """A cell's refresh reads only its learner, except when it is the session's first entry
    (every learner then has hours recorded: 0 until they attend) or its last one cleared (no
    record: none has)."""
    session, slots, enrollments = scheduled
    url = reverse("attendance:grid", args=[session.pk])
    first = f"s-{enrollments[0].pk}-{slots[0].pk}"
    admin_client.post(url, {first: AttendanceStatus.PRESENT}, **HTMX)
    hours = [e.hours_recorded for e in session.enrollments.order_by("pk")]
    assert hours == [Decimal("3.50"), 0, 0]
    assert AttendanceGap.objects.get(session=session).first_date == slots[0].date
    admin_client.post(url, {first: ""}, **HTMX)
    assert [e.hours_recorded for e in session.enrollments.order_by("pk")] == [None] * 3
    assert not AttendanceGap.objects.filter(session=session).exists()
