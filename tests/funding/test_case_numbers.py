"""The CPF case-number rules live in the service (funding/case_numbers.py), each with one message:
the allocation form checks none of them, and the form, the admin and the imports all show the
service's message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from funding import case_numbers, services
from funding.carriers import Carrier
from funding.forms import AllocationForm
from funding.models import FundingAllocation
from funding.types import FundingType
from tests.conftest import make_enrollment, make_individual, make_learner, make_session
from tests.funding.test_admin import admin_form_data

pytestmark = pytest.mark.django_db

RULES = [
    (FundingType.CPF, "", case_numbers.REQUIRED_MESSAGE),
    (FundingType.CPF, "1234567", case_numbers.FORMAT_MESSAGE),
    (FundingType.CPF, "12345-678", case_numbers.FORMAT_MESSAGE),
    (FundingType.CPF, "1234567890123456", case_numbers.FORMAT_MESSAGE),
    (FundingType.FRANCE_TRAVAIL, "12345678", case_numbers.ONLY_FOR_CPF_MESSAGE),
]


@pytest.fixture
def individual(organization):
    return make_individual(make_learner(organization, first_name="Camille", last_name="Martin"))


@pytest.fixture
def session(organization, individual):
    session = make_session(organization, reference="S-CPF")
    make_enrollment(session, individual.learner)
    return session


def _message(excinfo) -> str:
    [message] = excinfo.value.message_dict["cpf_case_number"]
    return message


@pytest.mark.parametrize(("funding_type", "case_number", "message"), RULES)
def test_the_service_says_each_rule_once(individual, session, funding_type, case_number, message):
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_create(
            organization=individual.organization,
            session=session,
            learner=individual.learner,
            individual=individual,
            funding_type=funding_type,
            approved_amount=Decimal("900.00"),
            cpf_case_number=case_number,
        )
    assert _message(excinfo) == str(message)


@pytest.mark.parametrize(("funding_type", "case_number", "_message"), RULES)
def test_the_form_checks_none_of_them(individual, session, funding_type, case_number, _message):
    form = AllocationForm(
        {
            "funding_type": funding_type,
            "approved_amount": "900",
            "session": session.pk,
            "cpf_case_number": case_number,
            "form_token": "00000000-0000-0000-0000-000000000001",
        },
        carrier=Carrier(individual=individual),
    )
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(("funding_type", "case_number", "message"), RULES)
def test_the_admin_shows_the_service_message(
    superuser_client, organization, individual, session, funding_type, case_number, message
):
    data = admin_form_data(
        {
            "organization": organization.pk,
            "individual": individual.pk,
            "learner": individual.learner.pk,
            "session": session.pk,
            "funding_type": funding_type,
            "approved_amount": "900.00",
            "cpf_case_number": case_number,
        }
    )
    response = superuser_client.post(reverse("admin:funding_fundingallocation_add"), data)
    assert response.context["adminform"].form.errors["cpf_case_number"] == [str(message)]
    assert not FundingAllocation.objects.exists()


def test_messages_in_french():
    with translation.override("fr"):
        assert str(case_numbers.REQUIRED_MESSAGE) == (
            "Le numéro de dossier CPF est obligatoire pour le CPF."
        )
        assert str(case_numbers.ONLY_FOR_CPF_MESSAGE).startswith("Un numéro de dossier")
