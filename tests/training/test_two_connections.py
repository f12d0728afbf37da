"""Lock first, proved with two real connections: an enrollment write (enrol, edit, cancel,
un-enrol) and an allocation write (create, update, status move, delete) on the same session, at
the same moment, from two threads. Both finish — no deadlock, no server error — and the stored
summaries are what a rebuild gives.

Each write holds its session's lock a little longer than it needs (a summary refresh that sleeps),
so that the second one always arrives while the first holds it: a writer that wrote its own rows
before taking the session's lock (the enrollment's row, say) would then hold a row the first
one's refresh rewrites, and PostgreSQL would report a deadlock.

They run on both databases. On SQLite there are no row locks at all: a transaction takes the
whole database as it begins (IMMEDIATE, with a busy timeout), so the same tests prove there that
the second writer waits instead of failing with "database is locked"."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding import services, status_changes
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType
from tests.concurrency import at_once
from tests.conftest import (
    assert_summaries_current,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)
from training import changes
from training import services as training_services
from training.models import Enrollment

pytestmark = pytest.mark.django_db(transaction=True)

HOLD = 0.3  # seconds each write keeps its session locked, so that the other one queues


@pytest.fixture
def slow_refresh(monkeypatch):
    def hold(session_ids) -> None:
        time.sleep(HOLD)

    monkeypatch.setattr(changes, "_refreshes", [*changes._refreshes, hold])


@pytest.fixture
def scene(organization, slow_refresh):
    """One session: A enrolled and funded (Pending CPF), B enrolled with an individual record and
    no funding, C not enrolled."""
    session = make_session(organization)
    a, b, c = (make_learner(organization) for _ in range(3))
    enrollment_a = make_enrollment(session, a)
    enrollment_b = make_enrollment(session, b)
    allocation = services.allocation_create(
        organization=organization,
        session=session,
        learner=a,
        individual=make_individual(a),
        funding_type=FundingType.CPF,
        approved_amount=Decimal("900.00"),
        cpf_case_number="12345678901",
    )
    return {
        "organization": organization,
        "session": session,
        "a": enrollment_a,
        "b": enrollment_b,
        "b_individual": make_individual(b),
        "c": c,
        "allocation": allocation,
    }


def enrol(scene):
    return training_services.enrollment_create(
        organization=scene["organization"], session=scene["session"], learner=scene["c"]
    )


def edit(scene):
    return training_services.enrollment_update(
        organization=scene["organization"],
        enrollment=scene["a"],
        hours_attended=Decimal("7"),
        outcome="enrolled",
        trainee_type_override="",
    )


def cancel(scene):
    return training_services.enrollment_update(
        organization=scene["organization"],
        enrollment=scene["a"],
        hours_attended=None,
        outcome="cancelled",
        trainee_type_override="",
    )


def create(scene):
    return services.allocation_create(
        organization=scene["organization"],
        session=scene["session"],
        learner=scene["b"].learner,
        individual=scene["b_individual"],
        funding_type=FundingType.SELF_FUNDED,
        approved_amount=Decimal("400.00"),
    )


def update(scene):
    return services.allocation_update(
        allocation=scene["allocation"], expected_version=1, approved_amount=Decimal("950.00")
    )


def approve(scene):
    return status_changes.allocation_set_status(
        allocation=scene["allocation"], to_status=FundingStatus.APPROVED, changed_by=None
    )


def delete(scene):
    return services.allocation_delete(allocation=scene["allocation"])


@pytest.mark.parametrize("enrollment_write", [enrol, edit, cancel], ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "allocation_write", [create, update, approve, delete], ids=lambda f: f.__name__
)
def test_both_writes_finish_and_the_summaries_equal_a_rebuild(
    scene, enrollment_write, allocation_write
):
    results = at_once(lambda: enrollment_write(scene), lambda: allocation_write(scene))

    failures = [result for result in results if isinstance(result, BaseException)]
    assert not failures, failures
    assert_summaries_current(scene["session"])


def test_unenrol_against_funding_for_that_learner_one_wins_and_nothing_is_left_unenrolled(scene):
    """The race of the issue: un-enrolling B while funding is added for B. Whichever locks the
    session first wins; the other is refused with its form's message, never a 500, and no
    allocation is left without its enrollment."""
    unenrol = lambda: training_services.enrollment_delete(  # noqa: E731
        organization=scene["organization"], enrollment=scene["b"]
    )
    results = at_once(unenrol, lambda: create(scene))

    assert all(
        result is None or isinstance(result, (FundingAllocation, ValidationError))
        for result in results
    ), results
    assert sum(isinstance(result, ValidationError) for result in results) == 1
    funded_learners = set(FundingAllocation.objects.values_list("session_id", "learner_id"))
    enrolled = set(Enrollment.objects.values_list("session_id", "learner_id"))
    assert funded_learners <= enrolled
    assert_summaries_current(scene["session"])
