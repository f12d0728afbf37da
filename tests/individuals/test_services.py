from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from individuals import services
from individuals.models import Individual
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db


def test_create(organization):
    learner = make_learner(organization, first_name="Camille", last_name="Martin")
    individual = services.individual_create(
        organization=organization,
        learner=learner,
        billing_name=" Camille Martin ",
        billing_email="camille@example.fr",
    )
    assert individual.organization == organization and individual.learner == learner
    assert individual.billing_name == "Camille Martin"


def test_one_record_per_learner(organization):
    learner = make_learner(organization, first_name="Camille", last_name="Martin")
    services.individual_create(organization=organization, learner=learner)
    with pytest.raises(ValidationError) as excinfo:
        services.individual_create(organization=organization, learner=learner)
    assert "already has an individual record" in excinfo.value.message_dict["learner"][0]
    assert Individual.objects.count() == 1


def test_learner_of_another_organisation_is_refused(organization, other_organization):
    stranger = make_learner(other_organization)
    with pytest.raises(ValidationError) as excinfo:
        services.individual_create(organization=organization, learner=stranger)
    assert "learner" in excinfo.value.message_dict
    assert not Individual.objects.exists()


def test_an_employee_of_a_company_can_have_a_record(organization):
    learner = make_learner(organization, employer=make_company(organization))
    assert services.individual_create(organization=organization, learner=learner).pk


def test_bad_billing_email_is_refused(organization):
    with pytest.raises(ValidationError) as excinfo:
        services.individual_create(
            organization=organization, learner=make_learner(organization), billing_email="nope"
        )
    assert "billing_email" in excinfo.value.message_dict


def test_update_billing_details(organization):
    individual = services.individual_create(
        organization=organization, learner=make_learner(organization)
    )
    services.individual_update(
        individual=individual, billing_name="Société Martin", billing_address="1 rue X"
    )
    individual.refresh_from_db()
    assert individual.billing_name == "Société Martin"
    assert individual.billing_address == "1 rue X"
    with pytest.raises(TypeError):
        services.individual_update(individual=individual, learner=make_learner(organization))


def test_archive_and_unarchive_keep_allocations(organization):
    learner = make_learner(organization)
    individual = services.individual_create(organization=organization, learner=learner)
    make_allocation(make_enrollment(make_session(organization), learner), carrier=individual)
    services.individual_archive(individual=individual)
    assert Individual.objects.archived().get() == individual
    assert individual.allocations.count() == 1
    archived_at = individual.archived_at
    services.individual_archive(individual=individual)  # archiving twice keeps the first date
    assert individual.archived_at == archived_at
    services.individual_unarchive(individual=individual)
    assert Individual.objects.active().get() == individual
