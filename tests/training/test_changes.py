"""The entry point of every write that changes a session's figures (training/changes.py): the
sessions are locked before anything is written, and their summaries refreshed once, at the end.

"Lock first" is checked on the SQL each writer sends: the session rows are read FOR UPDATE before
its first write (INSERT, UPDATE, DELETE). On SQLite, which locks the whole database on the first
write, the statement is the same without the clause."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding import services, status_changes
from funding.models import FundingAllocation, FundingStatus, SessionSummary
from funding.types import FundingType
from learners.models import Learner, ProfessionalStatus
from learners.services import learner_save
from tests.conftest import (
    assert_summaries_current,
    make_allocation,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)
from training import changes
from training import services as training_services

pytestmark = pytest.mark.django_db


def _statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


LOCK_START = (
    'SELECT "training_session"."id" AS "pk" FROM "training_session" '
    'WHERE "training_session"."id" IN ('
)


def _is_session_lock(sql: str) -> bool:
    """The entry point's statement: the sessions' ids, FOR UPDATE on PostgreSQL."""
    if not sql.startswith(LOCK_START):
        return False
    return connection.vendor != "postgresql" or sql.rstrip().endswith("FOR UPDATE")


def _locked_ids(sql: str) -> str:
    return sql[sql.index(" IN (") : sql.index(")", sql.index(" IN (")) + 1]


@pytest.fixture
def refreshes(monkeypatch):
    """Every refresh call, as the sorted session ids it was given (the real ones still run)."""
    calls: list[list[int]] = []

    def spy(session_ids) -> None:
        calls.append(list(session_ids))

    monkeypatch.setattr(changes, "_refreshes", [*changes._refreshes, spy])
    return calls


@pytest.fixture
def funded(organization):
    learner = make_learner(organization)
    individual = make_individual(learner)
    session = make_session(organization)
    make_enrollment(session, learner)
    allocation = services.allocation_create(
        organization=organization,
        session=session,
        learner=learner,
        individual=individual,
        funding_type=FundingType.SELF_FUNDED,
        approved_amount=Decimal("800.00"),
    )
    return allocation


# --- the API ---


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_refuses(organization):
    session = make_session(organization)
    with pytest.raises(TransactionManagementError), changes.changing_sessions([session.pk]):
        pass


def test_a_block_refreshes_its_sessions_once_at_its_end(organization, refreshes):
    first, second = make_session(organization), make_session(organization)
    refreshes.clear()
    with changes.changing_sessions([second.pk, first.pk, None, first.pk]):
        assert refreshes == []
    assert refreshes == [sorted([first.pk, second.pk])]


def test_nested_blocks_join_the_outermost(organization, refreshes):
    first, second = make_session(organization), make_session(organization)
    refreshes.clear()
    with changes.changing_sessions([first.pk]):
        with changes.changing_sessions([first.pk]):
            pass
        with changes.changing_sessions([second.pk]):
            pass
        assert refreshes == []
    assert refreshes == [sorted([first.pk, second.pk])]


def test_an_exception_refreshes_nothing(organization, refreshes):
    session = make_session(organization)
    refreshes.clear()
    with pytest.raises(ValueError), changes.changing_sessions([session.pk]):
        raise ValueError
    assert refreshes == []
    # The next block is a new outermost one.
    with changes.changing_sessions([session.pk]):
        pass
    assert refreshes == [[session.pk]]


def test_a_failed_inner_write_leaves_the_outer_block_to_refresh(organization, refreshes):
    session = make_session(organization)
    refreshes.clear()
    with changes.changing_sessions([]):
        with (
            pytest.raises(ValueError),
            transaction.atomic(),
            changes.changing_sessions([session.pk]),
        ):
            raise ValueError
        assert refreshes == []
    assert refreshes == [[session.pk]]


def test_many_sessions_are_locked_and_refreshed_in_chunks(organization, refreshes, monkeypatch):
    monkeypatch.setattr(changes, "CHUNK", 2)
    sessions = [make_session(organization) for _ in range(5)]
    ids = sorted(session.pk for session in sessions)
    refreshes.clear()
    with CaptureQueriesContext(connection) as captured:
        changes.refresh_sessions(reversed(ids))
    locks = [sql for sql in _statements(captured) if _is_session_lock(sql)]
    assert len(locks) == 3
    assert refreshes == [ids[0:2], ids[2:4], ids[4:]]


@pytest.fixture
def attendance_refreshes(monkeypatch, refreshes):
    """Every attendance refresh call, as (session ids, enrollment ids); the spy of `refreshes`
    gets one too (the real ones still run)."""
    calls: list[tuple[list[int], frozenset[int] | None]] = []
    spy = changes._refreshes[-1]

    def narrow(session_ids, enrollment_ids) -> None:
        calls.append((list(session_ids), enrollment_ids))

    monkeypatch.setattr(
        changes, "_attendance_refreshes", {**changes._attendance_refreshes, spy: narrow}
    )
    return calls


def test_an_attendance_only_block_runs_the_attendance_refreshes(
    organization, refreshes, attendance_refreshes
):
    first, second = make_session(organization), make_session(organization)
    refreshes.clear()
    with changes.changing_sessions([second.pk], attendance_of=[7]):
        with changes.changing_sessions([first.pk], attendance_of=[3, 7]):
            pass
        with changes.changing_sessions([second.pk], attendance_of=[5]):
            pass
    assert refreshes == []
    assert attendance_refreshes == [(sorted([first.pk, second.pk]), frozenset({3, 5, 7}))]
    # Any enrollment of one session: any of them all.
    with (
        changes.changing_sessions([first.pk], attendance_of=[3]),
        changes.changing_sessions([second.pk], attendance_of=changes.ALL_ENROLLMENTS),
    ):
        pass
    assert attendance_refreshes[1:] == [(sorted([first.pk, second.pk]), None)]
    # No enrollment: nothing changed, nothing to refresh (the session is locked all the same).
    with changes.changing_sessions([first.pk], attendance_of=[]):
        pass
    assert len(attendance_refreshes) == 2
    assert refreshes == []


def test_a_session_also_changed_otherwise_is_refreshed_whole(
    organization, refreshes, attendance_refreshes
):
    first, second = make_session(organization), make_session(organization)
    refreshes.clear()
    with (
        changes.changing_sessions([first.pk]),
        changes.changing_sessions([first.pk, second.pk], attendance_of=[3]),
    ):
        pass
    assert refreshes == [[first.pk]]
    assert attendance_refreshes == [([second.pk], frozenset({3}))]


def test_a_summary_without_an_attendance_refresh_is_refreshed_whole_after_attendance(
    organization, refreshes
):
    session = make_session(organization)
    refreshes.clear()
    with changes.changing_sessions([session.pk], attendance_of=[3]):
        pass
    assert refreshes == [[session.pk]]


# --- every writer locks first ---


WRITES = ("INSERT", "UPDATE", "DELETE")


def _lock_before_writing(run) -> str:
    """Run a writer; the statement that locked its sessions, which came before any write."""
    with CaptureQueriesContext(connection) as captured:
        run()
    statements = _statements(captured)
    first_write = next(i for i, sql in enumerate(statements) if sql.upper().startswith(WRITES))
    locks = [sql for sql in statements[:first_write] if _is_session_lock(sql)]
    assert locks, statements
    return locks[0]


def test_enrollment_writers_lock_first(organization):
    session = make_session(organization)
    learner = make_learner(organization)
    _lock_before_writing(
        lambda: training_services.enrollment_create(
            organization=organization, session=session, learner=learner
        )
    )
    enrollment = session.enrollments.get()
    _lock_before_writing(
        lambda: training_services.enrollment_update(
            organization=organization,
            enrollment=enrollment,
            hours_attended=Decimal(3),
            outcome="enrolled",
            trainee_type_override="",
        )
    )
    _lock_before_writing(
        lambda: training_services.enrollment_delete(
            organization=organization, enrollment=enrollment
        )
    )


def test_course_and_session_saves_lock_their_sessions_first(organization):
    session = make_session(organization)
    other = make_session(organization, course=session.course)
    course = session.course
    course.price = Decimal("999.00")
    sql = _lock_before_writing(lambda: training_services.course_save(course=course))
    assert str(session.pk) in _locked_ids(sql) and str(other.pk) in _locked_ids(sql)
    session.hours = Decimal(10)
    _lock_before_writing(lambda: training_services.session_save(session=session))


def test_allocation_writers_lock_first(funded, admin_user):
    allocation = funded
    _lock_before_writing(
        lambda: status_changes.allocation_set_status(
            allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
        )
    )
    allocation.refresh_from_db()
    _lock_before_writing(
        lambda: services.allocation_update(
            allocation=allocation,
            expected_version=allocation.version,
            approved_amount=Decimal("700.00"),
        )
    )
    allocation.refresh_from_db()
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.PENDING, changed_by=admin_user
    )
    allocation.refresh_from_db()
    _lock_before_writing(lambda: services.allocation_delete(allocation=allocation))


def test_allocation_create_locks_first(organization):
    learner = make_learner(organization)
    session = make_session(organization)
    make_enrollment(session, learner)
    individual = make_individual(learner)
    _lock_before_writing(
        lambda: services.allocation_create(
            organization=organization,
            session=session,
            learner=learner,
            individual=individual,
            funding_type=FundingType.SELF_FUNDED,
            approved_amount=Decimal("100.00"),
        )
    )


def test_a_move_locks_both_sessions_first_and_refreshes_both(funded, refreshes):
    allocation = funded
    target = make_session(allocation.organization)
    make_enrollment(target, allocation.learner)
    refreshes.clear()
    first = _lock_before_writing(
        lambda: services.allocation_update(
            allocation=allocation, expected_version=allocation.version, session=target
        )
    )
    assert str(allocation.session_id) in _locked_ids(first) and str(target.pk) in _locked_ids(first)
    assert refreshes == [sorted([allocation.session_id, target.pk])]
    assert_summaries_current(allocation.session, target)


@pytest.mark.summaries_may_drift  # the move "by a script" refreshes nothing
def test_a_move_of_an_allocation_moved_meanwhile_is_refused(funded):
    allocation = funded
    elsewhere, target = make_session(allocation.organization), make_session(allocation.organization)
    make_enrollment(elsewhere, allocation.learner)
    make_enrollment(target, allocation.learner)
    stale_copy = FundingAllocation.objects.get(pk=allocation.pk)
    # Someone moves it to another session without a new version (a script, say).
    FundingAllocation.objects.filter(pk=allocation.pk).update(session=elsewhere)
    with pytest.raises(Exception) as excinfo:
        services.allocation_update(
            allocation=stale_copy, expected_version=stale_copy.version, session=target
        )
    assert getattr(excinfo.value, "code", None) == "stale"
    assert FundingAllocation.objects.get(pk=allocation.pk).session == elsewhere


def test_a_learner_save_locks_and_refreshes_nothing(organization, refreshes):
    """F-1 reads the status stored on each enrollment: a learner's new status changes no
    session's figures, so saving a learner touches no session."""
    learner = make_learner(organization, professional_status="")
    for _ in range(2):
        make_enrollment(make_session(organization), learner)
    refreshes.clear()
    learner.professional_status = ProfessionalStatus.JOB_SEEKER
    with CaptureQueriesContext(connection) as captured:
        learner_save(learner=learner)
    assert not any(_is_session_lock(sql) for sql in _statements(captured))
    with CaptureQueriesContext(connection) as captured:
        learner_save(learner=Learner(organization=organization, first_name="A", last_name="B"))
    assert not any(_is_session_lock(sql) for sql in _statements(captured))
    assert refreshes == []


def test_admin_bulk_status_move_refreshes_each_session_once(
    superuser_client, organization, refreshes
):
    session, other = make_session(organization), make_session(organization)
    allocations = [
        make_allocation(make_enrollment(s), funding_type=FundingType.SELF_FUNDED, status="pending")
        for s in (session, session, other)
    ]
    refreshes.clear()
    response = superuser_client.post(
        reverse("admin:funding_fundingallocation_changelist"),
        {
            "action": "move_to_approved",
            "_selected_action": [allocation.pk for allocation in allocations],
        },
    )
    assert response.status_code == 302
    assert FundingAllocation.objects.filter(status=FundingStatus.APPROVED).count() == 3
    assert refreshes == [sorted([session.pk, other.pk])]
    assert SessionSummary.objects.get(session=session).pending_allocations == 0
    assert_summaries_current(session, other)


def test_refresh_sessions_rebuilds_now(organization):
    session = make_session(organization)
    make_allocation(make_enrollment(session), funding_type=FundingType.SELF_FUNDED)
    SessionSummary.objects.all().delete()
    changes.refresh_sessions([session.pk])
    assert SessionSummary.objects.get(session=session).learners == 1
