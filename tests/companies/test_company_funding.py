from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from companies.models import CompanyKind
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType, types_for_company_kind
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def funding_url(company) -> str:
    return reverse("funding:company_funding", args=[company.pk])


def add_url(company) -> str:
    return reverse("funding:company_funding_add", args=[company.pk])


def learners_url(company) -> str:
    return reverse("funding:company_funding_learners", args=[company.pk])


@pytest.fixture
def setup(organization):
    acme = make_company(organization, name="Acme Industrie")
    session = make_session(organization, reference="EXCEL-03")
    employee = make_learner(organization, first_name="Alice", last_name="Martin", employer=acme)
    outsider = make_learner(organization, first_name="Zoé", last_name="Bernard")
    not_enrolled = make_learner(organization, first_name="Hugo", last_name="Petit", employer=acme)
    make_enrollment(session, outsider)
    make_enrollment(session, employee)
    return {
        "company": acme,
        "session": session,
        "employee": employee,
        "outsider": outsider,
        "not_enrolled": not_enrolled,
    }


def post_data(session, learner, **fields) -> dict:
    return {
        "funding_type": FundingType.OPCO_SKILLS_PLAN,
        "approved_amount": "1 234,56",
        "requested_amount": "",
        "session": session.pk,
        "learner": learner.pk,
        "cpf_case_number": "",
        "funder_reference": "ATLAS-2025-0042",
        "notes": "",
        "form_token": str(uuid.uuid4()),
        **fields,
    }


def test_funding_tab_lists_the_company_allocations(admin_client, setup):
    enrollment = setup["employee"].enrollments.get()
    make_allocation(
        enrollment,
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        carrier=setup["company"],
        amount="800.00",
        funder_reference="OPCO-77",
    )
    make_allocation(enrollment, funding_type=FundingType.CPF, amount="400.00")
    response = admin_client.get(funding_url(setup["company"]))
    assert response.status_code == 200
    assert "+ Add funding" in response.text
    assert "OPCO-77" in response.text and "800,00 €" in response.text
    assert "400,00 €" not in response.text  # the learner's own CPF is not the company's
    assert 'aria-current="page">Funding</a>' in response.text


def test_company_page_has_a_funding_tab(admin_client, setup):
    response = admin_client.get(reverse("companies:detail", args=[setup["company"].pk]))
    assert f'href="{funding_url(setup["company"])}"' in response.text


def test_add_form_offers_the_company_kinds_types_and_session_learners(admin_client, setup):
    response = admin_client.get(add_url(setup["company"]))
    assert response.status_code == 200
    form = response.context["form"]
    offered = [value for value, _label in form.fields["funding_type"].choices if value]
    assert offered == list(types_for_company_kind(CompanyKind.PRIVATE_EMPLOYER))
    assert FundingType.CPF not in offered
    # The session select asks for the learners of the chosen session.
    assert f'hx-get="{learners_url(setup["company"])}"' in response.text
    assert "OPCO file number" in response.text


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (CompanyKind.PUBLIC_EMPLOYER, FundingType.PUBLIC_EMPLOYER),
        (CompanyKind.TRAINING_ORGANISATION, FundingType.TRAINING_ORGANISATION),
    ],
)
def test_types_follow_the_company_kind(admin_client, organization, kind, expected):
    company = make_company(organization, kind=kind)
    form = admin_client.get(add_url(company)).context["form"]
    offered = [value for value, _label in form.fields["funding_type"].choices if value]
    assert offered == list(types_for_company_kind(kind))
    assert expected in offered and FundingType.OPCO_SKILLS_PLAN not in offered


def test_learner_choices_follow_the_session_employees_first(admin_client, setup, organization):
    other_session = make_session(organization)
    make_enrollment(other_session, setup["not_enrolled"])
    response = admin_client.get(
        learners_url(setup["company"]), {"session": setup["session"].pk}, headers=HTMX
    )
    assert response.status_code == 200
    text = response.text
    assert "<html" not in text
    assert 'label="Employees of Acme Industrie"' in text
    assert text.index("Alice Martin") < text.index("Other learners") < text.index("Zoé Bernard")
    assert "Hugo Petit" not in text  # enrolled elsewhere, not in this session
    # No session chosen yet (or no JavaScript): every enrolled learner, employees first.
    everyone = admin_client.get(learners_url(setup["company"]), headers=HTMX).text
    assert everyone.index("Alice Martin") < everyone.index("Hugo Petit") < everyone.index("Zoé")


def test_learner_choices_of_another_organisations_session_are_empty(
    admin_client, setup, other_organization
):
    foreign = make_session(other_organization)
    make_enrollment(foreign, make_learner(other_organization, last_name="Secret"))
    text = admin_client.get(learners_url(setup["company"]), {"session": foreign.pk}).text
    assert "Secret" not in text and "<optgroup" not in text


def test_bound_form_shows_the_learners_of_the_chosen_session(admin_client, setup):
    data = post_data(setup["session"], setup["employee"], approved_amount="")
    response = admin_client.post(add_url(setup["company"]), data)
    assert response.status_code == 200
    choices = response.context["form"].fields["learner"].choices
    grouped = {str(label): [name for _pk, name in options] for label, options in choices[1:]}
    assert grouped == {
        "Employees of Acme Industrie": ["Alice Martin"],
        "Other learners": ["Zoé Bernard"],
    }


def test_add_opco_allocation(admin_client, setup, admin_user):
    response = admin_client.post(
        add_url(setup["company"]), post_data(setup["session"], setup["employee"])
    )
    assert response.status_code == 302
    assert response["Location"] == funding_url(setup["company"])
    allocation = FundingAllocation.objects.get()
    assert allocation.company == setup["company"] and allocation.individual is None
    assert allocation.learner == setup["employee"]
    assert allocation.funding_type == FundingType.OPCO_SKILLS_PLAN
    assert allocation.approved_amount == Decimal("1234.56")
    assert allocation.funder_reference == "ATLAS-2025-0042"
    assert allocation.status == FundingStatus.PENDING
    assert allocation.created_by == admin_user


def test_add_with_htmx_returns_the_refreshed_list(admin_client, setup):
    response = admin_client.post(
        add_url(setup["company"]), post_data(setup["session"], setup["outsider"]), headers=HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="allocations"' in response.text and "Zoé Bernard" in response.text
    assert "Funding added" in response.text


def test_a_learner_of_a_company_can_also_carry_cpf(admin_client, setup):
    """The same person: CPF as an individual, OPCO through their employer, same session."""
    make_allocation(setup["employee"].enrollments.get(), funding_type=FundingType.CPF)
    response = admin_client.post(
        add_url(setup["company"]), post_data(setup["session"], setup["employee"])
    )
    assert response.status_code == 302
    assert FundingAllocation.objects.filter(learner=setup["employee"]).count() == 2


def test_learner_not_enrolled_in_the_session_is_refused(admin_client, setup, organization):
    make_enrollment(make_session(organization), setup["not_enrolled"])
    response = admin_client.post(
        add_url(setup["company"]), post_data(setup["session"], setup["not_enrolled"])
    )
    assert response.status_code == 200
    assert "not enrolled in this session" in str(response.context["form"].errors)
    assert 'value="ATLAS-2025-0042"' in response.text  # input kept
    assert not FundingAllocation.objects.exists()


def test_type_that_does_not_suit_the_company_is_refused(admin_client, setup):
    for funding_type in (FundingType.CPF, FundingType.STATE):
        response = admin_client.post(
            add_url(setup["company"]),
            post_data(setup["session"], setup["employee"], funding_type=funding_type),
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.context["form"].errors["funding_type"][0]
    assert not FundingAllocation.objects.exists()


def test_foreign_session_and_learner_are_refused(admin_client, setup, other_organization):
    foreign_session = make_session(other_organization)
    foreign_learner = make_learner(other_organization)
    make_enrollment(foreign_session, foreign_learner)
    response = admin_client.post(
        add_url(setup["company"]), post_data(foreign_session, foreign_learner)
    )
    errors = response.context["form"].errors
    assert "Select a valid choice" in errors["session"][0]
    assert "Select a valid choice" in errors["learner"][0]
    assert not FundingAllocation.objects.exists()


def test_another_organisations_company_is_404(admin_client, other_organization, setup):
    foreign = make_company(other_organization)
    assert admin_client.get(funding_url(foreign)).status_code == 404
    assert admin_client.get(add_url(foreign)).status_code == 404
    assert admin_client.get(learners_url(foreign)).status_code == 404
    response = admin_client.post(add_url(foreign), post_data(setup["session"], setup["employee"]))
    assert response.status_code == 404
    assert not FundingAllocation.objects.exists()


def test_trainer_gets_403_everywhere(trainer_client, setup):
    company = setup["company"]
    for url in (funding_url(company), add_url(company), learners_url(company)):
        assert trainer_client.get(url).status_code == 403
        assert trainer_client.get(url, headers=HTMX).status_code == 403
    response = trainer_client.post(add_url(company), post_data(setup["session"], setup["employee"]))
    assert response.status_code == 403
    assert not FundingAllocation.objects.exists()


def test_anonymous_is_sent_to_login(client, setup):
    response = client.get(funding_url(setup["company"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_status_moves_reuse_the_common_actions(admin_client, setup):
    allocation = make_allocation(
        setup["employee"].enrollments.get(),
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        carrier=setup["company"],
        status=FundingStatus.PENDING,
    )
    response = admin_client.post(
        reverse("funding:allocation_status", args=[allocation.pk, "approved"]),
        {"version": allocation.version},
    )
    assert response.status_code == 302
    assert response["Location"] == funding_url(setup["company"])
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.APPROVED
    assert allocation.status_changes.count() == 1


@pytest.mark.parametrize("count", [5, 50])
def test_funding_tab_query_count_is_fixed(
    admin_client, organization, django_assert_num_queries, count
):
    company = make_company(organization)
    session = make_session(organization)
    for _ in range(count):
        make_allocation(
            make_enrollment(session, make_learner(organization, employer=company)),
            funding_type=FundingType.OPCO_SKILLS_PLAN,
            carrier=company,
        )
    # Session, user, the memberships (current and the sidebar's), the company, its allocations.
    with django_assert_num_queries(5):
        response = admin_client.get(funding_url(company))
    assert response.status_code == 200


def test_company_form_has_no_cpf_case_number_and_one_placeholder(admin_client, setup):
    """A company never carries CPF: no case number field. Every empty choice (type, session,
    learner) reads the same placeholder."""
    response = admin_client.get(add_url(setup["company"]))
    form = response.context["form"]
    assert "cpf_case_number" not in form.fields
    assert "CPF case number" not in response.text and 'name="cpf_case_number"' not in response.text
    assert response.text.count('<option value="" selected>— choose —</option>') == 3
    assert "---------" not in response.text
    # The learners fetched for the chosen session start with the same placeholder.
    options = admin_client.get(learners_url(setup["company"]), headers=HTMX).text
    assert '<option value="">— choose —</option>' in options
    # A post that still sends the field (a stale page) saves without it.
    response = admin_client.post(
        add_url(setup["company"]),
        post_data(setup["session"], setup["employee"], cpf_case_number="12345678"),
    )
    assert response.status_code == 302
    assert FundingAllocation.objects.get().cpf_case_number == ""


def test_company_form_placeholder_in_french(admin_client, setup, french):
    response = admin_client.get(add_url(setup["company"]))
    assert response.text.count('<option value="" selected>— choisir —</option>') == 3
