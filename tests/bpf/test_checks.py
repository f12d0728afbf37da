"""Checks not met by the worked example, their links, and the *16 form."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from bpf.checks import build_checks
from bpf.computation import compute_bpf
from bpf.report import Figure
from bpf.rows import flat_rows
from companies.models import CompanyKind
from funding.models import FundingStatus
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_session,
)
from training.models import Delivery, Objective, Outcome

pytestmark = pytest.mark.django_db


def checks_of(report):
    return {check.code: check for check in report.checks}


def test_missing_nsf_objective_and_no_hours(organization):
    course = make_course(organization, nsf_code="", objective="")
    session = make_session(organization, course, hours=Decimal(0))
    make_allocation(make_enrollment(session))
    checks = checks_of(compute_bpf(organization, 2025))
    assert (checks["missing_nsf"].severity, checks["missing_nsf"].count) == ("error", 1)
    assert checks["missing_objective"].count == 1
    assert checks["no_hours"].count == 1
    course_url = reverse("training:course_detail", args=[course.pk])
    assert checks["missing_nsf"].links[0].url == course_url
    assert checks["no_hours"].links[0].url == reverse("training:session_detail", args=[session.pk])
    report = compute_bpf(organization, 2025)
    # They are counted apart, so that totals still add up.
    assert report.f3["unclassified"].learners == report.f4_unclassified.learners == 1


def test_rounding_no_longer_makes_totals_differ(organization):
    for objective in (Objective.RS, Objective.OTHER):
        session = make_session(organization, make_course(organization, objective=objective))
        enrollment = make_enrollment(session, hours_attended=Decimal("0.5"))
        make_allocation(enrollment)
    report = compute_bpf(organization, 2025)
    # Exact total 1 h. F-1 a: 1. F-3 b 0,5 and d 0,5: 0 + 0, one hour missing → b (first): 1.
    # F-4 326: 1. Half-up line by line gave F-3 1 + 1 = 2.
    assert (report.f1["total"].hours, report.f3["total"].hours, report.f4_total.hours) == (1, 1, 1)
    assert (report.f3["b"].hours, report.f3["d"].hours) == (1, 0)
    assert "totals_mismatch" not in checks_of(report)


def test_totals_mismatch_stays_as_a_guard(organization):
    session = make_session(organization)
    make_allocation(make_enrollment(session))
    report = compute_bpf(organization, 2025)
    broken = dataclasses.replace(
        report, f3={**report.f3, "total": Figure(report.f3["total"].learners + 1, 14, Decimal(14))}
    )
    checks = build_checks(broken, {}, 2025)
    mismatch = [check for check in checks if check.code == "totals_mismatch"]
    assert [(check.severity, check.count) for check in mismatch] == [("error", 1)]
    assert "totals_mismatch" not in {check.code for check in report.checks}


def test_no_check_fails_on_clean_data(organization):
    session = make_session(organization)
    make_allocation(make_enrollment(session), amount="500.00")
    organization.bpf_inputs.create(fiscal_year=2025, total_costs=400, turnover_share=60)
    assert compute_bpf(organization, 2025).checks == ()


def test_worked_example_check_links(worked_example):
    checks = checks_of(compute_bpf(worked_example.organization, 2025))
    assert checks["pending_allocations"].links[0].url == (
        reverse("funding:list") + "?status=pending&period_from=2024-07-01&period_to=2025-06-30"
    )
    assert {link.url for link in checks["overfunded"].links} == {
        f"{reverse('funding:list')}?session={session.pk}"
        for session in (worked_example.s1, worked_example.s3)
    }
    assert checks["unclassified_trainees"].links[0].url == reverse(
        "bpf:drill", args=[2025, "F1.unclassified"]
    )
    assert checks["unfunded_enrollments"].links[0].url == reverse(
        "training:session_detail", args=[worked_example.s1.pk]
    )


def test_unfunded_is_no_counted_funding_in_both_languages(worked_example):
    message = checks_of(compute_bpf(worked_example.organization, 2025))[
        "unfunded_enrollments"
    ].message
    assert message == "1 enrolled learner is unfunded: no approved or paid funding."
    with translation.override("fr"):
        french = checks_of(compute_bpf(worked_example.organization, 2025))
    assert french["unfunded_enrollments"].message == (
        "1 apprenant inscrit est sans financement\u00a0: aucun financement accordé ou payé."
    )


def test_form_16_labels_and_distance_count(organization):
    session = make_session(
        organization,
        start_date=datetime.date(2022, 5, 2),
        end_date=datetime.date(2022, 5, 3),
        distance=True,
    )
    make_enrollment(session, hours_attended=Decimal(7))
    report = compute_bpf(organization, 2022)
    labels = {code: label for code, label, _value in flat_rows(report)}
    values = {code: value for code, _label, value in flat_rows(report)}
    assert labels["C.d"] == (
        "des congés individuels de formation et des projets de transition professionnelle"
    )
    assert labels["C.7"] == "Pôle emploi"
    assert values["F1.distance.learners"] == 1 and values["F1.distance.hours"] == 7
    report_2023 = compute_bpf(organization, 2023)
    labels_2023 = {code: label for code, label, _value in flat_rows(report_2023)}
    assert labels_2023["C.7"] == "France travail (ex Pôle emploi)"
    assert "F1.distance.learners" not in labels_2023


# --- the checks of issue 12: each with its count and links, computed by hand ---


def test_subcontracting_mismatch_counts_sessions_both_ways(organization):
    """A session sub-contracted to us funded by the learner's CPF (not line 10), and a session we
    deliver funded by another training organisation (line 10 without section G): 2 sessions. A
    session sub-contracted to us funded by the principal is right."""
    partner = make_company(organization, kind=CompanyKind.TRAINING_ORGANISATION)
    wrong_type = make_session(organization, delivery=Delivery.SUBCONTRACTED_IN)
    make_allocation(make_enrollment(wrong_type), funding_type=FundingType.CPF)
    wrong_delivery = make_session(organization)
    make_allocation(
        make_enrollment(wrong_delivery),
        funding_type=FundingType.TRAINING_ORGANISATION,
        carrier=partner,
    )
    right = make_session(organization, delivery=Delivery.SUBCONTRACTED_IN)
    enrollment = make_enrollment(right)
    make_allocation(enrollment, funding_type=FundingType.TRAINING_ORGANISATION, carrier=partner)
    # Meals re-invoiced to the principal (line 11) are not the work of line 10: no mismatch.
    make_allocation(enrollment, funding_type=FundingType.OTHER_PRODUCTS, carrier=partner)
    # Pending money counts nowhere: no mismatch from it.
    pending = make_session(organization)
    make_allocation(
        make_enrollment(pending),
        funding_type=FundingType.TRAINING_ORGANISATION,
        carrier=partner,
        status=FundingStatus.PENDING,
    )
    check = checks_of(compute_bpf(organization, 2025))["subcontracting_mismatch"]
    assert (check.severity, check.count) == ("error", 2)
    assert {link.url for link in check.links} == {
        f"{reverse('funding:list')}?session={session.pk}"
        for session in (wrong_type, wrong_delivery)
    }


def test_cancelled_funded_counts_the_cancelled_enrollments_with_counted_funding(organization):
    session = make_session(organization)
    for status in (FundingStatus.APPROVED, FundingStatus.PAID, FundingStatus.REJECTED):
        make_allocation(make_enrollment(session, outcome=Outcome.CANCELLED), status=status)
    make_allocation(make_enrollment(session))
    report = compute_bpf(organization, 2025)
    check = checks_of(report)["cancelled_funded"]
    # Approved and Paid: 2 enrollments; the rejected one is fine. Their money counts nowhere.
    assert (check.severity, check.count) == ("warning", 2)
    assert check.links[0].url == f"{reverse('funding:list')}?session={session.pk}"
    assert report.c["e"].value == 1000


def test_turnover_share_missing_only_with_activity(organization):
    session = make_session(organization)
    make_allocation(make_enrollment(session))
    check = checks_of(compute_bpf(organization, 2025))["turnover_share_missing"]
    assert (check.severity, check.count) == ("warning", 1)
    assert check.links[0].url == reverse("bpf:report") + "?year=2025#inputs"
    organization.bpf_inputs.create(fiscal_year=2025, turnover_share=35)
    assert "turnover_share_missing" not in checks_of(compute_bpf(organization, 2025))
    # A year without activity asks nothing.
    assert "turnover_share_missing" not in checks_of(compute_bpf(organization, 2024))


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        # Income 38 500 €. 3 850 000 € typed for 38 500,00: "did you mean 38 500 €?"
        (
            3_850_000,
            "more than ten times the income of section C (38 500 €): did you mean 38 500 €",
        ),
        # 385 € (two zeros lost): "did you mean 38 500 €?"
        (385, "less than a tenth of the income of section C (38 500 €): did you mean 38 500 €"),
        (385_001, "did you mean 38 500 €"),
        (385_000, None),  # ten times exactly: not out of scale
        (3_850, None),  # a tenth exactly: not out of scale
        (38_000, None),
    ],
)
def test_costs_out_of_scale(organization, costs, expected):
    session = make_session(organization)
    make_allocation(make_enrollment(session), amount="38500.00")
    organization.bpf_inputs.create(fiscal_year=2025, total_costs=costs, turnover_share=90)
    checks = checks_of(compute_bpf(organization, 2025))
    if expected is None:
        assert "costs_out_of_scale" not in checks
        return
    check = checks["costs_out_of_scale"]
    assert (check.severity, check.count) == ("warning", 1)
    assert expected in check.message.replace("\u202f", " ").replace("\xa0", " ")
    assert check.links[0].url == reverse("bpf:report") + "?year=2025#inputs"


def test_costs_out_of_scale_in_french(organization, french):
    session = make_session(organization)
    make_allocation(make_enrollment(session), amount="38500.00")
    organization.bpf_inputs.create(fiscal_year=2025, total_costs=3_850_000, turnover_share=90)
    message = checks_of(compute_bpf(organization, 2025))["costs_out_of_scale"].message
    assert "vouliez-vous dire" in message


def test_year_not_closed(organization, monkeypatch):
    session = make_session(
        organization, start_date=datetime.date(2025, 3, 3), end_date=datetime.date(2025, 3, 4)
    )
    make_allocation(make_enrollment(session))
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2025, 12, 31)
    )
    check = checks_of(compute_bpf(organization, 2025))["year_not_closed"]
    assert (check.severity, check.count) == ("warning", 1)
    assert "31/12/2025" in check.message
    assert check.links[0].url == reverse("bpf:report") + "?year=2024"
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(2026, 1, 1)
    )
    assert "year_not_closed" not in checks_of(compute_bpf(organization, 2025))
