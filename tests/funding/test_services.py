from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from funding import services, status_changes
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from funding.types import FundingType
from tests.conftest import (
    make_company,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def individual(organization):
    learner = make_learner(organization, first_name="Camille", last_name="Martin")
    return make_individual(learner)


@pytest.fixture
def session(organization, individual):
    session = make_session(organization, reference="S-CPF")
    make_enrollment(session, individual.learner)
    return session


def create(carrier, session, **overrides) -> FundingAllocation:
    fields = {
        "organization": carrier.organization,
        "session": session,
        "learner": carrier.learner,
        "individual": carrier,
        "funding_type": FundingType.CPF,
        "approved_amount": Decimal("1500.00"),
        "cpf_case_number": "12345678901",
    }
    return services.allocation_create(**{**fields, **overrides})


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- create ---


def test_create_is_pending_with_normalised_case_number(individual, session, admin_user):
    allocation = create(individual, session, cpf_case_number="1234 5678 901", created_by=admin_user)
    assert allocation.status == FundingStatus.PENDING
    assert allocation.cpf_case_number == "12345678901"
    assert allocation.version == 1 and allocation.created_by == admin_user
    assert not allocation.status_changes.exists()


def test_cpf_needs_a_case_number(individual, session):
    with pytest.raises(ValidationError) as excinfo:
        create(individual, session, cpf_case_number="")
    assert "cpf_case_number" in errors_of(excinfo)
    assert not FundingAllocation.objects.exists()


@pytest.mark.parametrize("case_number", ["1234567", "1234567890123456", "12345678A"])
def test_case_number_format(individual, session, case_number):
    with pytest.raises(ValidationError) as excinfo:
        create(individual, session, cpf_case_number=case_number)
    assert "cpf_case_number" in errors_of(excinfo)


def test_case_number_refused_for_other_types(individual, session):
    with pytest.raises(ValidationError) as excinfo:
        create(individual, session, funding_type=FundingType.SELF_FUNDED)
    assert "only for CPF" in errors_of(excinfo)["cpf_case_number"][0]


def test_case_number_unique_names_the_allocation_using_it(organization, individual, session):
    first = create(individual, session)
    other = make_individual(make_learner(organization, last_name="Bernard"))
    make_enrollment(session, other.learner)
    with pytest.raises(ValidationError) as excinfo:
        create(other, session)
    message = errors_of(excinfo)["cpf_case_number"][0]
    assert f"#{first.pk}" in message and "Camille Martin" in message
    assert FundingAllocation.objects.count() == 1


def test_case_number_of_a_rejected_allocation_is_free_again(individual, session, admin_user):
    first = create(individual, session)
    status_changes.allocation_set_status(
        allocation=first, to_status=FundingStatus.REJECTED, changed_by=admin_user
    )
    second = create(individual, session)
    assert second.pk != first.pk
    # Reviving the rejected one would reuse a number now taken: refused.
    first.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        status_changes.allocation_set_status(
            allocation=first, to_status=FundingStatus.PENDING, changed_by=admin_user
        )
    assert f"#{second.pk}" in errors_of(excinfo)["cpf_case_number"][0]
    first.refresh_from_db()
    assert first.status == FundingStatus.REJECTED


def test_case_numbers_are_unique_per_organisation_only(individual, session, other_organization):
    create(individual, session)
    stranger = make_individual(make_learner(other_organization))
    foreign_session = make_session(other_organization)
    make_enrollment(foreign_session, stranger.learner)
    assert create(stranger, foreign_session).pk


@pytest.mark.parametrize(
    "funding_type",
    [FundingType.OPCO_SKILLS_PLAN, FundingType.EMPLOYER, FundingType.STATE],
)
def test_individual_carries_only_individual_types(individual, session, funding_type):
    with pytest.raises(ValidationError) as excinfo:
        create(individual, session, funding_type=funding_type, cpf_case_number="")
    assert "funding_type" in errors_of(excinfo)


@pytest.mark.parametrize(
    "funding_type", [FundingType.CPF, FundingType.FRANCE_TRAVAIL, FundingType.SELF_FUNDED]
)
def test_individual_types_are_accepted(individual, session, funding_type):
    case_number = "12345678" if funding_type == FundingType.CPF else ""
    allocation = create(individual, session, funding_type=funding_type, cpf_case_number=case_number)
    assert allocation.funding_type == funding_type


@pytest.mark.parametrize("amount", ["0", "-5", "10000000.00", "12.345"])
def test_amount_rules(individual, session, amount):
    with pytest.raises(ValidationError) as excinfo:
        create(individual, session, approved_amount=Decimal(amount))
    assert "approved_amount" in errors_of(excinfo)


def test_largest_amount_is_accepted(individual, session):
    allocation = create(individual, session, approved_amount=Decimal("9999999.99"))
    assert allocation.approved_amount == Decimal("9999999.99")


def test_learner_must_be_enrolled(organization, individual):
    session = make_session(organization)
    with pytest.raises(ValidationError) as excinfo:
        create(individual, session)
    assert "enrol" in errors_of(excinfo)["session"][0]


def test_other_organisation_session_is_refused(individual, other_organization):
    foreign_session = make_session(other_organization)
    with pytest.raises(ValidationError) as excinfo:
        create(individual, foreign_session)
    assert "session" in errors_of(excinfo)
    assert not FundingAllocation.objects.exists()


def test_individual_funds_only_their_own_training(organization, individual, session):
    someone_else = make_learner(organization)
    make_enrollment(session, someone_else)
    with pytest.raises(ValidationError) as excinfo:
        create(individual, session, learner=someone_else)
    assert "learner" in errors_of(excinfo)


def test_exactly_one_carrier(organization, individual, session):
    company = make_company(organization)
    with pytest.raises(ValidationError):
        create(individual, session, company=company)
    with pytest.raises(ValidationError):
        create(individual, session, individual=None)


# --- update ---


def test_update_changes_fields_and_bumps_version(individual, session):
    allocation = create(individual, session)
    updated = services.allocation_update(
        allocation=allocation,
        expected_version=1,
        approved_amount=Decimal("1200.50"),
        funder_reference="REF-1",
    )
    assert updated.approved_amount == Decimal("1200.50")
    assert updated.funder_reference == "REF-1" and updated.version == 2


def test_update_on_a_stale_copy_writes_nothing(individual, session):
    allocation = create(individual, session)
    services.allocation_update(
        allocation=allocation, expected_version=1, approved_amount=Decimal("900")
    )
    with pytest.raises(ValidationError, match="changed by someone else"):
        services.allocation_update(
            allocation=allocation, expected_version=1, approved_amount=Decimal("100")
        )
    allocation.refresh_from_db()
    assert allocation.approved_amount == Decimal("900.00") and allocation.version == 2


def test_update_validates_like_create(individual, session):
    allocation = create(individual, session)
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_update(
            allocation=allocation, expected_version=1, funding_type=FundingType.FRANCE_TRAVAIL
        )
    assert "cpf_case_number" in errors_of(excinfo)
    allocation.refresh_from_db()
    assert allocation.funding_type == FundingType.CPF and allocation.version == 1


def test_update_refuses_status_and_carrier_fields(individual, session):
    allocation = create(individual, session)
    with pytest.raises(TypeError):
        services.allocation_update(
            allocation=allocation, expected_version=1, status=FundingStatus.PAID
        )


# --- status ---


ALL_MOVES = [
    (FundingStatus.PENDING, FundingStatus.APPROVED, True),
    (FundingStatus.PENDING, FundingStatus.REJECTED, True),
    (FundingStatus.PENDING, FundingStatus.PAID, False),
    (FundingStatus.APPROVED, FundingStatus.PAID, True),
    (FundingStatus.APPROVED, FundingStatus.REJECTED, True),
    (FundingStatus.APPROVED, FundingStatus.PENDING, True),
    (FundingStatus.REJECTED, FundingStatus.PENDING, True),
    (FundingStatus.REJECTED, FundingStatus.APPROVED, False),
    (FundingStatus.REJECTED, FundingStatus.PAID, False),
    (FundingStatus.PAID, FundingStatus.APPROVED, True),
    (FundingStatus.PAID, FundingStatus.PENDING, False),
    (FundingStatus.PAID, FundingStatus.REJECTED, False),
]

PATH_TO = {
    FundingStatus.PENDING: [],
    FundingStatus.APPROVED: [FundingStatus.APPROVED],
    FundingStatus.REJECTED: [FundingStatus.REJECTED],
    FundingStatus.PAID: [FundingStatus.APPROVED, FundingStatus.PAID],
}


@pytest.mark.parametrize(("from_status", "to_status", "allowed"), ALL_MOVES)
def test_status_moves(individual, session, admin_user, from_status, to_status, allowed):
    allocation = create(individual, session)
    paid_on = datetime.date(2025, 4, 1)
    for step in PATH_TO[from_status]:
        allocation = status_changes.allocation_set_status(
            allocation=allocation, to_status=step, changed_by=admin_user, paid_on=paid_on
        )
    history_before = allocation.status_changes.count()
    if allowed:
        allocation = status_changes.allocation_set_status(
            allocation=allocation,
            to_status=to_status,
            changed_by=admin_user,
            paid_on=paid_on,
            note="checked",
        )
        assert allocation.status == to_status
        change = allocation.status_changes.order_by("-pk").first()
        assert (change.from_status, change.to_status) == (from_status, to_status)
        assert change.changed_by == admin_user and change.note == "checked"
    else:
        with pytest.raises(ValidationError, match="cannot go from"):
            status_changes.allocation_set_status(
                allocation=allocation, to_status=to_status, changed_by=admin_user, paid_on=paid_on
            )
        allocation.refresh_from_db()
        assert allocation.status == from_status
        assert allocation.status_changes.count() == history_before


def test_paid_needs_a_date_not_in_the_future(individual, session, admin_user):
    allocation = create(individual, session)
    allocation = status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    with pytest.raises(ValidationError) as excinfo:
        status_changes.allocation_set_status(
            allocation=allocation, to_status=FundingStatus.PAID, changed_by=admin_user
        )
    assert "paid_on" in errors_of(excinfo)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        status_changes.allocation_set_status(
            allocation=allocation,
            to_status=FundingStatus.PAID,
            changed_by=admin_user,
            paid_on=tomorrow,
        )
    assert "paid_on" in errors_of(excinfo)
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.APPROVED and allocation.status_changes.count() == 1


def test_reversing_a_payment_clears_its_date(individual, session, admin_user):
    allocation = create(individual, session)
    for step in (FundingStatus.APPROVED, FundingStatus.PAID):
        allocation = status_changes.allocation_set_status(
            allocation=allocation,
            to_status=step,
            changed_by=admin_user,
            paid_on=datetime.date(2025, 4, 1),
        )
    assert allocation.paid_on == datetime.date(2025, 4, 1)
    allocation = status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    assert allocation.paid_on is None and allocation.status == FundingStatus.APPROVED


def test_two_moves_from_the_same_state_one_wins(individual, session, admin_user, trainer_user):
    allocation = create(individual, session)
    first_copy = FundingAllocation.objects.get(pk=allocation.pk)
    second_copy = FundingAllocation.objects.get(pk=allocation.pk)
    status_changes.allocation_set_status(
        allocation=first_copy, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    with pytest.raises(ValidationError, match="changed by someone else"):
        status_changes.allocation_set_status(
            allocation=second_copy, to_status=FundingStatus.REJECTED, changed_by=trainer_user
        )
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.APPROVED
    assert FundingStatusChange.objects.filter(allocation=allocation).count() == 1


def test_expected_version_is_checked(individual, session, admin_user):
    allocation = create(individual, session)
    with pytest.raises(ValidationError, match="changed by someone else"):
        status_changes.allocation_set_status(
            allocation=allocation,
            to_status=FundingStatus.APPROVED,
            changed_by=admin_user,
            expected_version=0,
        )
    assert not allocation.status_changes.exists()


def test_status_change_bumps_version(individual, session, admin_user):
    allocation = create(individual, session)
    allocation = status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    assert allocation.version == 2


# --- delete ---


def test_delete_pending_only(individual, session, admin_user):
    pending = create(individual, session)
    services.allocation_delete(allocation=pending)
    assert not FundingAllocation.objects.exists()
    approved = create(individual, session)
    approved = status_changes.allocation_set_status(
        allocation=approved, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    with pytest.raises(ValidationError, match="Only a Pending"):
        services.allocation_delete(allocation=approved)
    assert FundingAllocation.objects.filter(pk=approved.pk).exists()


def test_delete_of_a_stale_copy_is_refused(individual, session):
    allocation = create(individual, session)
    stale = FundingAllocation.objects.get(pk=allocation.pk)
    services.allocation_update(
        allocation=allocation, expected_version=1, approved_amount=Decimal("99")
    )
    with pytest.raises(ValidationError, match="changed by someone else"):
        services.allocation_delete(allocation=stale, expected_version=stale.version)
    assert FundingAllocation.objects.filter(pk=allocation.pk).exists()


def test_company_carrier_types_follow_its_kind(organization):
    learner = make_learner(organization)
    session = make_session(organization)
    make_enrollment(session, learner)
    company = make_company(organization)
    allocation = services.allocation_create(
        organization=organization,
        session=session,
        learner=learner,
        company=company,
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        approved_amount=Decimal("800"),
    )
    assert allocation.company == company
    with pytest.raises(ValidationError) as excinfo:
        services.allocation_create(
            organization=organization,
            session=session,
            learner=learner,
            company=company,
            funding_type=FundingType.CPF,
            approved_amount=Decimal("800"),
            cpf_case_number="12345678",
        )
    assert "funding_type" in errors_of(excinfo)
