"""Checks not met by the worked example, their links, and the *16 form."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from bpf.computation import compute_bpf
from bpf.rows import flat_rows
from tests.conftest import make_allocation, make_course, make_enrollment, make_session
from training.models import Objective

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


def test_totals_mismatch_from_rounding(organization):
    for objective in (Objective.RS, Objective.OTHER):
        session = make_session(organization, make_course(organization, objective=objective))
        enrollment = make_enrollment(session, hours_attended=Decimal("0.5"))
        make_allocation(enrollment)
    report = compute_bpf(organization, 2025)
    # F-1 a: 0,5 + 0,5 = 1; F-3 b 0,5 → 1 and d 0,5 → 1: total 2; F-4 326: 1.
    assert (report.f1["total"].hours, report.f3["total"].hours, report.f4_total.hours) == (1, 2, 1)
    assert checks_of(report)["totals_mismatch"].count == 1


def test_no_check_fails_on_clean_data(organization):
    session = make_session(organization)
    make_allocation(make_enrollment(session), amount="500.00")
    organization.bpf_inputs.create(fiscal_year=2025, total_costs=400)
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
