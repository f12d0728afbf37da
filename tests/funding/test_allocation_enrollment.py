"""Every allocation points at the enrollment it funds (PROTECT, not null): a funded enrollment
cannot be deleted — the service says why, the database refuses it too — and the migration that
added the link gave any allocation whose learner was not enrolled its missing enrollment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError

from funding import services
from funding.models import FundingAllocation
from funding.types import FundingType
from tests.conftest import (
    make_company,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)
from training import services as training_services
from training.models import Enrollment

BEFORE = [("funding", "0006_remittance_reference")]


@pytest.fixture
def funded(organization):
    learner = make_learner(organization)
    session = make_session(organization)
    enrollment = make_enrollment(session, learner)
    allocation = services.allocation_create(
        organization=organization,
        session=session,
        learner=learner,
        individual=make_individual(learner),
        funding_type=FundingType.SELF_FUNDED,
        approved_amount=Decimal("500.00"),
    )
    return enrollment, allocation


@pytest.mark.django_db
def test_the_services_link_the_allocation_to_its_enrollment_and_follow_a_move(organization, funded):
    enrollment, allocation = funded
    assert allocation.enrollment == enrollment
    other_session = make_session(organization)
    other_enrollment = make_enrollment(other_session, enrollment.learner)
    moved = services.allocation_update(
        allocation=allocation, expected_version=allocation.version, session=other_session
    )
    assert moved.enrollment == other_enrollment


@pytest.mark.django_db
def test_unenrolling_a_funded_learner_is_refused_with_the_reason(organization, funded):
    enrollment, _allocation = funded
    with pytest.raises(ValidationError, match="cannot be un-enrolled"):
        training_services.enrollment_delete(organization=organization, enrollment=enrollment)
    with pytest.raises(ProtectedError):
        enrollment.delete()
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_delete_a_funded_enrollment(funded):
    enrollment, _allocation = funded
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        # The constraint is checked at the latest at commit (deferred on both databases).
        cursor.execute("DELETE FROM training_enrollment WHERE id = %s", [enrollment.pk])
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.summaries_may_drift  # the enrollment it creates waits for refresh_summaries
def test_the_migration_links_allocations_and_enrols_funded_learners_who_were_not(
    organization, capsys
):
    enrolled = make_learner(organization)
    not_enrolled = make_learner(organization)
    session = make_session(organization)
    enrollment = make_enrollment(session, enrolled)
    company = make_company(organization)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        OldAllocation = old_apps.get_model("funding", "FundingAllocation")
        for learner in (enrolled, not_enrolled, not_enrolled):
            OldAllocation.objects.create(
                organization_id=organization.pk,
                session_id=session.pk,
                learner_id=learner.pk,
                company_id=company.pk,
                funding_type=FundingType.EMPLOYER,
                approved_amount=Decimal("900.00"),
            )
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert "1 enrollment(s) created for funded learners who were not enrolled" in (
        capsys.readouterr().out
    )
    created = Enrollment.objects.get(session=session, learner=not_enrolled)
    links = sorted(FundingAllocation.objects.values_list("learner_id", "enrollment_id"))
    assert links == sorted(
        [(enrolled.pk, enrollment.pk), (not_enrolled.pk, created.pk), (not_enrolled.pk, created.pk)]
    )
