from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funding import services, status_changes
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from funding.types import FundingType
from individuals.models import Individual
from tests.conftest import make_enrollment, make_individual, make_learner, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def individual(organization):
    return make_individual(make_learner(organization, first_name="Camille", last_name="Martin"))


@pytest.fixture
def session(organization, individual):
    session = make_session(organization)
    make_enrollment(session, individual.learner)
    return session


@pytest.fixture
def allocation(individual, session):
    return services.allocation_create(
        organization=individual.organization,
        session=session,
        learner=individual.learner,
        individual=individual,
        funding_type=FundingType.CPF,
        approved_amount=Decimal("1500.00"),
        cpf_case_number="12345678901",
    )


def admin_form_data(allocation_fields: dict) -> dict:
    # The read-only history inline still posts its management form.
    return {
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
        **allocation_fields,
    }


def test_admin_add_goes_through_the_service(superuser_client, organization, individual, session):
    data = admin_form_data(
        {
            "organization": organization.pk,
            "individual": individual.pk,
            "learner": individual.learner.pk,
            "session": session.pk,
            "funding_type": "cpf",
            "approved_amount": "900.00",
            "cpf_case_number": "9876 5432 1",
        }
    )
    response = superuser_client.post(reverse("admin:funding_fundingallocation_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    allocation = FundingAllocation.objects.get()
    assert allocation.cpf_case_number == "987654321"
    assert allocation.status == FundingStatus.PENDING
    assert allocation.created_by == superuser_client.user


def test_admin_add_shows_service_errors(superuser_client, organization, individual, session):
    data = admin_form_data(
        {
            "organization": organization.pk,
            "individual": individual.pk,
            "learner": individual.learner.pk,
            "session": session.pk,
            "funding_type": "opco_skills_plan",
            "approved_amount": "900.00",
        }
    )
    response = superuser_client.post(reverse("admin:funding_fundingallocation_add"), data)
    assert response.status_code == 200
    assert "funding_type" in response.context["adminform"].form.errors
    assert not FundingAllocation.objects.exists()


def test_admin_change_is_compare_and_swap(superuser_client, allocation, session):
    url = reverse("admin:funding_fundingallocation_change", args=[allocation.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    fields = {
        "learner": allocation.learner.pk,
        "session": session.pk,
        "funding_type": "cpf",
        "approved_amount": "1200.00",
        "cpf_case_number": "12345678901",
        "expected_version": "1",
    }
    response = superuser_client.post(url, admin_form_data(fields))
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.approved_amount == Decimal("1200.00") and allocation.version == 2
    stale = superuser_client.post(url, admin_form_data({**fields, "approved_amount": "1"}))
    assert stale.status_code == 200
    assert "changed by someone else" in stale.text
    allocation.refresh_from_db()
    assert allocation.approved_amount == Decimal("1200.00")


def test_status_is_read_only_and_moves_are_actions_recorded_in_history(
    superuser_client, allocation
):
    url = reverse("admin:funding_fundingallocation_change", args=[allocation.pk])
    assert 'name="status"' not in superuser_client.get(url).text
    changelist = reverse("admin:funding_fundingallocation_changelist")
    for action in ("move_to_approved", "move_to_paid_today"):
        superuser_client.post(
            changelist, {"action": action, "_selected_action": [allocation.pk]}, follow=True
        )
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.PAID
    assert allocation.paid_on == timezone.localdate()
    changes = FundingStatusChange.objects.filter(allocation=allocation).order_by("pk")
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("pending", "approved"),
        ("approved", "paid"),
    ]
    assert changes[0].changed_by == superuser_client.user


def test_disallowed_admin_move_is_reported(superuser_client, allocation):
    changelist = reverse("admin:funding_fundingallocation_changelist")
    response = superuser_client.post(
        changelist,
        {"action": "move_to_paid_today", "_selected_action": [allocation.pk]},
        follow=True,
    )
    assert "cannot go from Pending to Paid" in response.text
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.PENDING


def test_only_pending_allocations_can_be_deleted(superuser_client, allocation):
    delete_url = reverse("admin:funding_fundingallocation_delete", args=[allocation.pk])
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=None
    )
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    allocation.refresh_from_db()
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.PENDING, changed_by=None
    )
    response = superuser_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not FundingAllocation.objects.exists()


def test_history_cannot_be_edited(superuser_client, allocation):
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=None
    )
    change = FundingStatusChange.objects.get()
    url = reverse("admin:funding_fundingstatuschange_change", args=[change.pk])
    superuser_client.post(url, {"note": "rewritten"})
    change.refresh_from_db()
    assert change.note == ""
    assert superuser_client.get(reverse("admin:funding_fundingstatuschange_add")).status_code == 403


def test_individual_admin_add_refuses_a_second_record(superuser_client, organization, individual):
    url = reverse("admin:individuals_individual_add")
    response = superuser_client.post(
        url, {"organization": organization.pk, "learner": individual.learner.pk}
    )
    assert response.status_code == 200
    assert Individual.objects.count() == 1
    learner = make_learner(organization)
    response = superuser_client.post(
        url,
        {"organization": organization.pk, "learner": learner.pk, "billing_name": "Via admin"},
    )
    assert response.status_code == 302
    assert Individual.objects.get(learner=learner).billing_name == "Via admin"


def test_individual_admin_refuses_another_organisations_learner(
    superuser_client, organization, other_organization
):
    stranger = make_learner(other_organization)
    response = superuser_client.post(
        reverse("admin:individuals_individual_add"),
        {"organization": organization.pk, "learner": stranger.pk},
    )
    assert response.status_code == 200
    assert not Individual.objects.exists()


def test_individual_admin_archive_action(superuser_client, individual):
    superuser_client.post(
        reverse("admin:individuals_individual_changelist"),
        {"action": "archive", "_selected_action": [individual.pk]},
    )
    individual.refresh_from_db()
    assert individual.is_archived
