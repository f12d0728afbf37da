"""The worked example of the BPF tests: a small organisation whose figures were computed by hand
from BPF.md (see test_worked_example.py for the arithmetic)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from companies.models import CompanyKind
from funding.models import FundingStatus
from funding.types import FundingType
from learners.models import ProfessionalStatus
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_learner,
    make_organization,
    make_session,
)
from training.models import Delivery, Objective


@dataclass
class WorkedExample:
    organization: object
    course_a: object
    course_b: object
    s1: object
    s2: object
    s3: object
    s4: object
    learners: dict


def build_worked_example(organization=None) -> WorkedExample:
    """Fiscal year starts 1 July: FY 2025 = 01/07/2024 – 30/06/2025."""
    org = organization or make_organization(
        name="Atelier Juillet", slug="atelier-juillet", fiscal_year_start_month=7
    )
    employer = make_company(org, name="Boulangerie Martin")
    public_body = make_company(org, name="Mairie", kind=CompanyKind.PUBLIC_EMPLOYER)
    partner = make_company(org, name="Autre OF", kind=CompanyKind.TRAINING_ORGANISATION)
    course_a = make_course(
        org,
        title="Développeur web",
        nsf_code="326",
        objective=Objective.RNCP_5,
        duration_hours=Decimal("35"),
        price=Decimal("2400.00"),
    )
    course_b = make_course(
        org,
        title="Vente conseil",
        nsf_code="312",
        objective=Objective.OTHER,
        duration_hours=Decimal("21"),
        price=Decimal("1500.00"),
    )
    s0 = make_session(  # fiscal year 2024
        org,
        course_a,
        reference="S0",
        start_date=datetime.date(2024, 5, 1),
        end_date=datetime.date(2024, 5, 3),
    )
    s1 = make_session(
        org,
        course_a,
        reference="S1",
        start_date=datetime.date(2024, 9, 2),
        end_date=datetime.date(2024, 9, 6),
    )
    # Straddles 30 June / 1 July: 8 days in FY 2025 (23–30 June), 7 in FY 2026 (1–7 July).
    s2 = make_session(
        org,
        course_b,
        reference="S2",
        start_date=datetime.date(2025, 6, 23),
        end_date=datetime.date(2025, 7, 7),
        distance=True,
    )
    s3 = make_session(
        org,
        course_a,
        reference="S3",
        start_date=datetime.date(2025, 3, 10),
        end_date=datetime.date(2025, 3, 14),
        delivery=Delivery.SUBCONTRACTED_IN,
    )
    s4 = make_session(
        org,
        course_b,
        reference="S4",
        start_date=datetime.date(2025, 1, 13),
        end_date=datetime.date(2025, 1, 15),
        delivery=Delivery.SUBCONTRACTED_OUT,
    )
    status = ProfessionalStatus
    people = {
        "L1": make_learner(org, last_name="Un", professional_status=status.PRIVATE_EMPLOYEE),
        "L2": make_learner(org, last_name="Deux", professional_status=status.JOB_SEEKER),
        "L3": make_learner(org, last_name="Trois", professional_status=status.PRIVATE_EMPLOYEE),
        "L4": make_learner(org, last_name="Quatre", professional_status=""),
        "L5": make_learner(org, last_name="Cinq", professional_status=status.PRIVATE_EMPLOYEE),
        "L6": make_learner(org, last_name="Six", professional_status=status.SELF_EMPLOYED),
        "L7": make_learner(org, last_name="Sept", professional_status=status.PRIVATE_EMPLOYEE),
        "L8": make_learner(org, last_name="Huit", professional_status=status.PRIVATE_EMPLOYEE),
        "L9": make_learner(org, last_name="Neuf", professional_status=status.PRIVATE_EMPLOYEE),
        "L10": make_learner(org, last_name="Dix", professional_status=status.APPRENTICE),
    }
    for learner in people.values():
        learner.employer = employer
        learner.save(update_fields=["employer"])
    approved, paid = FundingStatus.APPROVED, FundingStatus.PAID
    kind = FundingType

    make_allocation(make_enrollment(s0, people["L1"]), funding_type=kind.CPF, amount="700.00")

    e = make_enrollment(s1, people["L1"])
    make_allocation(e, funding_type=kind.OPCO_SKILLS_PLAN, amount="2000.00")
    make_allocation(e, funding_type=kind.EMPLOYER, amount="500.50", status=paid)
    e = make_enrollment(s1, people["L2"], hours_attended=Decimal("30"))
    make_allocation(e, funding_type=kind.FRANCE_TRAVAIL, amount="1200.00")
    make_allocation(e, funding_type=kind.CPF, amount="300.00")
    e = make_enrollment(s1, people["L3"])
    make_allocation(e, funding_type=kind.SELF_FUNDED, amount="999.50", status=paid)
    e = make_enrollment(s1, people["L4"])
    make_allocation(e, funding_type=kind.CPF, amount="1800.00", status=FundingStatus.REJECTED)
    make_allocation(e, funding_type=kind.SELF_FUNDED, amount="400.00", status=FundingStatus.PENDING)
    e = make_enrollment(s1, people["L5"], outcome="cancelled")
    make_allocation(e, funding_type=kind.CPF, amount="900.00")

    e = make_enrollment(s2, people["L6"])
    make_allocation(e, funding_type=kind.CPF, amount="1500.00", status=approved)
    e = make_enrollment(s2, people["L7"])
    make_allocation(e, funding_type=kind.OPCO_SKILLS_PLAN, amount="1000.00")
    e = make_enrollment(s2, people["L8"], hours_attended=Decimal("15"), trainee_type_override="b")
    make_allocation(e, funding_type=kind.SELF_FUNDED, amount="750.00", status=paid)

    e = make_enrollment(s3, people["L9"])
    make_allocation(e, funding_type=kind.TRAINING_ORGANISATION, amount="2500.00", carrier=partner)

    e = make_enrollment(s4, people["L10"])
    make_allocation(e, funding_type=kind.OPCO_SKILLS_PLAN, amount="1234.56")

    # A public body with nothing counted: its pending allocation is in S0's year, not FY 2025.
    make_allocation(
        make_enrollment(s0, people["L9"]),
        funding_type=kind.PUBLIC_EMPLOYER,
        amount="100.00",
        status=FundingStatus.PENDING,
        carrier=public_body,
    )
    return WorkedExample(org, course_a, course_b, s1, s2, s3, s4, people)


@pytest.fixture
def worked_example(db) -> WorkedExample:
    return build_worked_example()
