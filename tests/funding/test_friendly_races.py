"""Every constraint a user can hit by racing another user answers with the form's message, never
a server error: a CPF case number taken twice (created, or revived by a status move, in two
sessions whose locks do not exclude each other), one individual record per learner, one
enrollment per learner and session. Each write holds its transaction open a little (a summary
refresh that sleeps) so that the second one always checks before the first commits and meets the
database's constraint."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from funding import services
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType
from individuals import services as individual_services
from individuals.models import Individual
from tests.concurrency import at_once
from tests.conftest import (
    make_allocation,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)
from training import changes
from training import services as training_services
from training.models import Enrollment

pytestmark = pytest.mark.django_db(transaction=True)

CASE_NUMBER = "12345678901"


@pytest.fixture(autouse=True)
def slow_refresh(monkeypatch):
    def hold(session_ids) -> None:
        time.sleep(0.3)

    monkeypatch.setattr(changes, "_refreshes", [*changes._refreshes, hold])


def _outcomes(results, model) -> tuple[list, list[ValidationError]]:
    unexpected = [r for r in results if not isinstance(r, (model, ValidationError))]
    assert not unexpected, unexpected
    return (
        [r for r in results if isinstance(r, model)],
        [r for r in results if isinstance(r, ValidationError)],
    )


def _two_learners_in_two_sessions(organization):
    pairs = []
    for _ in range(2):
        learner = make_learner(organization)
        pairs.append((make_enrollment(make_session(organization), learner), learner))
    return pairs


def test_one_cpf_case_number_created_twice_at_once_in_two_sessions(organization):
    def create(enrollment, learner):
        return services.allocation_create(
            organization=organization,
            session=enrollment.session,
            learner=learner,
            individual=make_individual(learner),
            funding_type=FundingType.CPF,
            approved_amount=Decimal("900.00"),
            cpf_case_number=CASE_NUMBER,
        )

    pairs = _two_learners_in_two_sessions(organization)
    results = at_once(*(lambda pair=pair: create(*pair) for pair in pairs))

    created, refused = _outcomes(results, FundingAllocation)
    assert len(created) == len(refused) == 1
    assert "This CPF case number is already used" in refused[0].messages[0]


def test_one_cpf_case_number_revived_twice_at_once_in_two_sessions(organization, admin_user):
    """Two Rejected allocations share a case number (allowed); both are sent back to Pending at
    the same moment through the status form: one moves, the other shows why it cannot."""
    allocations = [
        make_allocation(
            enrollment,
            status=FundingStatus.REJECTED,
            cpf_case_number=CASE_NUMBER,
        )
        for enrollment, _learner in _two_learners_in_two_sessions(organization)
    ]
    clients = []
    for _ in allocations:
        client = Client()
        client.force_login(admin_user)
        clients.append(client)

    def revive(client, allocation):
        url = reverse("funding:allocation_status", args=[allocation.pk, FundingStatus.PENDING])
        return client.post(url, {"version": allocation.version, "note": ""})

    responses = at_once(
        *(lambda c=c, a=a: revive(c, a) for c, a in zip(clients, allocations, strict=True))
    )

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    statuses = sorted(FundingAllocation.objects.values_list("status", flat=True))
    assert statuses == [FundingStatus.PENDING, FundingStatus.REJECTED]
    refused = [r for r in responses if r.status_code == 200]
    assert len(refused) == 1 and "This CPF case number is already used" in refused[0].text


def test_one_individual_record_per_learner_created_twice_at_once(organization):
    learner = make_learner(organization)

    def create():
        return individual_services.individual_create(organization=organization, learner=learner)

    created, refused = _outcomes(at_once(create, create), Individual)
    assert len(created) == len(refused) == 1
    assert "already has an individual record" in refused[0].messages[0]


def test_one_enrollment_per_learner_and_session_created_twice_at_once(organization):
    learner = make_learner(organization)
    session = make_session(organization)

    def enrol():
        return training_services.enrollment_create(
            organization=organization, session=session, learner=learner
        )

    created, refused = _outcomes(at_once(enrol, enrol), Enrollment)
    assert len(created) == len(refused) == 1
    assert "already enrolled in this session" in refused[0].messages[0]
