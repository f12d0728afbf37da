"""Importing funding allocations through funding's services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType
from imports.funding_kinds import status_path
from individuals.models import Individual
from tests.conftest import (
    assert_summaries_current,
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_learner,
    make_organization,
    make_session,
)
from tests.imports.conftest import errors_of, import_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(organization):
    course = make_course(organization, reference="XL-2", title="Excel")
    session = make_session(
        organization,
        course,
        reference="S-001",
        start_date=datetime.date(2025, 3, 3),
        end_date=datetime.date(2025, 3, 4),
    )
    helene = make_learner(organization, email="helene@example.fr")
    paul = make_learner(organization, email="paul@example.fr")
    make_enrollment(session, helene)
    make_enrollment(session, paul)
    company = make_company(organization, siret="73282932000074", name="Dupont")
    return session, helene, paul, company


FRENCH = (
    "Référence session;Email;Type de financement;Entreprise;Montant accordé;"
    "Numéro de dossier CPF;Statut;Payé le\n"
    "S-001;helene@example.fr;CPF;;1 200,00;12345678901;Payé;15/03/2025\n"
    "S-001;paul@example.fr;OPCO (plan de développement des compétences);732 829 320 00074;"
    "800;;Accordé;\n"
)


def test_allocations_created_through_the_allowed_moves_then_unchanged(
    organization, enrolled, french
):
    session, helene, paul, company = enrolled
    result = import_text(organization, "allocations", FRENCH)
    assert errors_of(result) == []
    assert result.created == 2
    cpf = FundingAllocation.objects.get(learner=helene)
    assert (cpf.funding_type, cpf.status, cpf.paid_on, cpf.approved_amount) == (
        FundingType.CPF,
        FundingStatus.PAID,
        datetime.date(2025, 3, 15),
        Decimal("1200.00"),
    )
    assert cpf.individual == Individual.objects.get(learner=helene)
    assert [(c.from_status, c.to_status) for c in cpf.status_changes.order_by("pk")] == [
        ("pending", "approved"),
        ("approved", "paid"),
    ]
    opco = FundingAllocation.objects.get(learner=paul)
    assert (opco.company, opco.status) == (company, FundingStatus.APPROVED)
    assert_summaries_current(session)
    again = import_text(organization, "allocations", FRENCH)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_cpf_matched_by_case_number_and_updated(organization, enrolled):
    session, helene, _paul, _company = enrolled
    import_text(organization, "allocations", FRENCH)
    result = import_text(
        organization,
        "allocations",
        "Session reference,Email,Funding type,Approved amount,CPF case number\n"
        "S-001,helene@example.fr,cpf,1300,123 456 789 01\n",
    )
    assert errors_of(result) == []
    assert result.updated == 1
    assert FundingAllocation.objects.get(learner=helene).approved_amount == Decimal("1300")
    assert_summaries_current(session)


def test_allocation_errors_placed_in_their_columns_and_nothing_saved(organization, enrolled):
    other = make_organization()
    make_company(other, siret="11111111111111")
    stranger = make_learner(organization, email="stranger@example.fr")
    result = import_text(
        organization,
        "allocations",
        "Session reference,Email,Funding type,Company,Approved amount,CPF case number\n"
        "S-001,helene@example.fr,CPF,,1000,123\n"
        "S-001,paul@example.fr,opco_skills_plan,11111111111111,800,\n"
        "S-001,stranger@example.fr,self_funded,,500,\n"
        "S-001,paul@example.fr,Astronaut,,500,\n"
        'S-001,paul@example.fr,opco_skills_plan,73282932000074,"38,500",\n',
    )
    assert stranger.pk
    assert [(line, column) for line, column, _ in errors_of(result)] == [
        (2, "CPF case number"),
        (3, "Company"),
        (4, "Session reference"),
        (5, "Funding type"),
        (6, "Approved amount"),
    ], errors_of(result)
    assert not FundingAllocation.objects.exists()
    assert not Individual.objects.exists()


def test_duplicate_case_number_in_the_file(organization, enrolled):
    result = import_text(
        organization,
        "allocations",
        "Session reference,Email,Funding type,Approved amount,CPF case number\n"
        "S-001,helene@example.fr,CPF,1000,12345678901\n"
        "S-001,paul@example.fr,CPF,1000,12345678901\n",
    )
    assert [(line, column) for line, column, _ in errors_of(result)] == [(3, "CPF case number")]


def test_another_organisations_case_number_is_not_matched(organization, enrolled):
    other = make_organization()
    theirs = make_allocation(make_enrollment(make_session(other)), cpf_case_number="12345678901")
    result = import_text(organization, "allocations", FRENCH)
    assert errors_of(result) == []
    assert result.created == 2
    theirs.refresh_from_db()
    assert theirs.organization == other


def test_status_paths():
    assert status_path("pending", "paid") == ["approved", "paid"]
    assert status_path("paid", "rejected") == ["approved", "rejected"]
    assert status_path("pending", "pending") == []
