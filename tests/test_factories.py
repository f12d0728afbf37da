from __future__ import annotations

from decimal import Decimal

import pytest

from funding.models import FundingStatus
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db


def test_factories_build_a_consistent_allocation(organization):
    company = make_company(organization)
    learner = make_learner(organization, employer=company)
    enrollment = make_enrollment(make_session(organization), learner)
    cpf = make_allocation(enrollment, amount="800.50")
    opco = make_allocation(
        enrollment, funding_type=FundingType.OPCO_SKILLS_PLAN, status=FundingStatus.PAID
    )
    assert cpf.individual.learner == learner and cpf.company is None
    assert cpf.approved_amount == Decimal("800.50") and len(cpf.cpf_case_number) == 11
    assert opco.company == company and opco.paid_on == enrollment.session.end_date
