from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding import services
from funding.models import FundingStatus
from funding.types import FundingType
from tests.conftest import make_enrollment, make_individual, make_learner, make_session

pytestmark = pytest.mark.django_db


def test_create_move_and_stale(organization, admin_user):
    learner = make_learner(organization)
    session = make_session(organization)
    make_enrollment(session, learner)
    individual = make_individual(learner)
    allocation = services.allocation_create(
        organization=organization,
        session=session,
        learner=learner,
        individual=individual,
        funding_type=FundingType.CPF,
        approved_amount=Decimal("1500.00"),
        cpf_case_number="1234 5678 901",
        created_by=admin_user,
    )
    assert allocation.cpf_case_number == "12345678901"
    with pytest.raises(ValidationError) as error:
        services.allocation_create(
            organization=organization,
            session=session,
            learner=learner,
            individual=individual,
            funding_type=FundingType.CPF,
            approved_amount=Decimal("10"),
            cpf_case_number="12345678901",
        )
    assert f"#{allocation.pk}" in str(error.value)
    stale_copy = type(allocation).objects.get(pk=allocation.pk)
    services.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    with pytest.raises(ValidationError, match="changed by someone else"):
        services.allocation_set_status(
            allocation=stale_copy, to_status=FundingStatus.APPROVED, changed_by=admin_user
        )
    paid = services.allocation_set_status(
        allocation=allocation,
        to_status=FundingStatus.PAID,
        changed_by=admin_user,
        paid_on=datetime.date(2025, 4, 1),
    )
    assert paid.status == FundingStatus.PAID and paid.status_changes.count() == 2
