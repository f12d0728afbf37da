"""Personas and factories shared by every test.

The three personas of every view test: an administrator, a trainer of the same organisation,
and an administrator of another organisation. Build domain objects with the `make_*` helpers,
which fill sensible defaults so a test states only what matters to it.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from attendance.models import AttendanceGap
from certeef.models import Membership, Organization, Role
from companies.models import Company, CompanyKind
from funding.chase_models import SessionAllocationTotal, SessionFunderChase, SessionStatusTotal
from funding.chase_summaries import funder_chase_drifts
from funding.models import (
    FundingAllocation,
    FundingStatus,
    SessionEnrollmentTally,
    SessionFundingTotal,
    SessionSummary,
)
from funding.types import FundingType
from individuals.models import Individual
from learners.models import Learner, ProfessionalStatus
from training.changes import refresh_sessions, summary_drifts
from training.models import Course, Enrollment, Objective, Session

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


def make_organization(**fields) -> Organization:
    n = next(_counter)
    defaults = {"name": f"Organisme {n}", "slug": f"organisme-{n}"}
    return Organization.objects.create(**{**defaults, **fields})


def make_user(organization: Organization | None, role: str = Role.ADMINISTRATOR, **fields):
    n = next(_counter)
    user = get_user_model().objects.create_user(
        username=fields.pop("username", f"user{n}"), password=PASSWORD, **fields
    )
    if organization is not None:
        Membership.objects.create(user=user, organization=organization, role=role)
    return user


def make_company(organization: Organization, **fields) -> Company:
    n = next(_counter)
    defaults = {"name": f"Entreprise {n}", "kind": CompanyKind.PRIVATE_EMPLOYER}
    return Company.objects.create(organization=organization, **{**defaults, **fields})


def make_learner(organization: Organization, **fields) -> Learner:
    n = next(_counter)
    defaults = {
        "first_name": f"Prénom{n}",
        "last_name": f"Nom{n}",
        "email": f"learner{n}@example.fr",
        "professional_status": ProfessionalStatus.PRIVATE_EMPLOYEE,
    }
    return Learner.objects.create(organization=organization, **{**defaults, **fields})


def make_course(organization: Organization, **fields) -> Course:
    n = next(_counter)
    defaults = {
        "title": f"Formation {n}",
        "reference": f"F{n:03d}",
        "nsf_code": "326",
        "objective": Objective.OTHER,
        "duration_hours": Decimal("14"),
        "price": Decimal("1200.00"),
    }
    return Course.objects.create(organization=organization, **{**defaults, **fields})


def make_session(organization: Organization, course: Course | None = None, **fields) -> Session:
    course = course or make_course(organization)
    n = next(_counter)
    defaults = {
        "reference": f"S{n:04d}",
        "start_date": datetime.date(2025, 3, 3),
        "end_date": datetime.date(2025, 3, 4),
        "hours": course.duration_hours,
    }
    return Session.objects.create(
        organization=organization, course=course, **{**defaults, **fields}
    )


def make_enrollment(session: Session, learner: Learner | None = None, **fields) -> Enrollment:
    """An enrollment written directly (no validation), then its session's summaries refreshed as
    the services do."""
    learner = learner or make_learner(session.organization)
    # As the service does: the learner's status at the time of enrolling.
    fields.setdefault("professional_status", learner.professional_status)
    enrollment = Enrollment.objects.create(
        organization=session.organization, session=session, learner=learner, **fields
    )
    refresh_sessions([session.pk])
    return enrollment


def make_individual(learner: Learner, **fields) -> Individual:
    return Individual.objects.create(organization=learner.organization, learner=learner, **fields)


def make_allocation(
    enrollment: Enrollment,
    *,
    funding_type: str = FundingType.CPF,
    amount: Decimal | str = "1000.00",
    status: str = FundingStatus.APPROVED,
    carrier: Individual | Company | None = None,
    **fields,
) -> FundingAllocation:
    """An allocation written directly (no status history, no validation), then the funding
    summaries refreshed as the services do: for read-side tests such as the BPF. Tests of writes
    go through funding.services. The carrier defaults to the learner's Individual (created if
    needed) for individual types, else the learner's employer."""
    learner = enrollment.learner
    if carrier is None:
        if funding_type in (FundingType.CPF, FundingType.FRANCE_TRAVAIL, FundingType.SELF_FUNDED):
            carrier = Individual.objects.filter(learner=learner).first() or make_individual(learner)
        else:
            carrier = learner.employer or make_company(enrollment.organization)
    if funding_type == FundingType.CPF:
        fields.setdefault("cpf_case_number", f"{next(_counter):011d}")
    if status == FundingStatus.PAID:
        fields.setdefault("paid_on", enrollment.session.end_date)
    allocation = FundingAllocation.objects.create(
        organization=enrollment.organization,
        session=enrollment.session,
        learner=learner,
        enrollment=enrollment,
        individual=carrier if isinstance(carrier, Individual) else None,
        company=carrier if isinstance(carrier, Company) else None,
        funding_type=funding_type,
        approved_amount=Decimal(amount),
        status=status,
        **fields,
    )
    refresh_sessions([allocation.session_id])
    return allocation


def stored_summaries(session_ids: list[int]) -> list[list]:
    """Every stored summary of these sessions, every field but the row id, in a stable order."""
    enrollments = Enrollment.objects.filter(session_id__in=session_ids)
    stored = [
        list(
            enrollments.values_list(
                "pk", "funding_code", "counted_funding", "pending_allocations", "hours_recorded"
            )
        )
    ]
    for model in (
        SessionFundingTotal,
        SessionSummary,
        SessionEnrollmentTally,
        AttendanceGap,
        SessionFunderChase,
        SessionStatusTotal,
        SessionAllocationTotal,
    ):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = model.objects.filter(session_id__in=session_ids).values_list(*fields)
        stored.append(sorted(rows, key=str))
    return stored


def assert_summaries_current(*sessions: Session) -> None:
    """The stored session summaries are what a refresh from scratch gives."""
    ids = [session.pk for session in sessions]
    stored = stored_summaries(ids)
    refresh_sessions(ids)
    assert stored_summaries(ids) == stored


@pytest.fixture
def organization(db) -> Organization:
    return make_organization(name="Formations Lumière", slug="formations-lumiere")


@pytest.fixture
def other_organization(db) -> Organization:
    return make_organization(name="Autre Organisme", slug="autre-organisme")


@pytest.fixture
def admin_user(organization):
    return make_user(organization, Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def trainer_user(organization):
    return make_user(organization, Role.TRAINER, username="trainer")


@pytest.fixture
def other_admin_user(other_organization):
    return make_user(other_organization, Role.ADMINISTRATOR, username="other-admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def trainer_client(client, trainer_user):
    client.force_login(trainer_user)
    return client


@pytest.fixture
def other_admin_client(client, other_admin_user):
    client.force_login(other_admin_user)
    return client


@pytest.fixture
def superuser_client(client):
    """A Django superuser (the back-office), member of no organisation."""
    user = make_user(None, is_superuser=True, is_staff=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def client_for():
    """A fresh logged-in test client for a given user (for tests that need several at once)."""
    from django.test import Client

    def build(user) -> Client:
        new_client = Client()
        new_client.force_login(user)
        return new_client

    return build


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Tests speak English, the catalogue's source language, so their assertions read the words
    of the help pages; a test about French wording asks for the `french` fixture (or sends
    Accept-Language: fr). The product's own default, French, is tested in
    tests/certeef/test_i18n.py."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def french(settings):
    """The site speaking French, as it does by default outside the tests."""
    settings.LANGUAGE_CODE = "fr"
    with translation.override("fr"):
        yield


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hashing with the production hasher costs about a second per user: tests need no security."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Summaries you can trust: after every test that used the database, the stored session
# summaries must equal a rebuild from the rows — whatever the test wrote, through whichever path.
# A test that changes rows behind the services' back must refresh them (as `make_enrollment` and
# `make_allocation` do); one that corrupts them on purpose says so with
# @pytest.mark.summaries_may_drift. Run at the end of the test's call, inside its database
# transaction: one query when the test made no session, a few more per 500 sessions otherwise.


def pytest_collection_modifyitems(config, items):
    """Tests marked `sqlite_only` (the layout and accessibility matrix: the same templates on
    either database, and costly) run once, on SQLite: on PostgreSQL they are deselected. Tests
    marked `postgresql_only` (the load test's smoke run: it refuses SQLite) are deselected on
    SQLite."""
    from django.conf import settings

    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    other_database = "postgresql_only" if on_sqlite else "sqlite_only"
    kept = [item for item in items if item.get_closest_marker(other_database) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    uses_database = item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db"} & set(item.fixturenames)
    )
    if uses_database and item.get_closest_marker("summaries_may_drift") is None:
        from django.db import connection

        if not connection.needs_rollback and Session.objects.exists():
            drifts = summary_drifts(Session.objects.values_list("pk", flat=True))
            assert not drifts, (
                "Stored session summaries differ from a rebuild (a write that skipped "
                f"training.changes.changing_sessions?): {drifts[:5]}"
            )
            # The chasing totals by funder: the sums of their session rows.
            for organization_id in Organization.objects.values_list("pk", flat=True):
                funder_drifts = funder_chase_drifts(organization_id)
                assert not funder_drifts, f"FunderChase differs from its sessions: {funder_drifts}"
    return result
