"""Importing enrollments: session by reference or course + start date, learner by email or name."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.conftest import (
    assert_summaries_current,
    make_course,
    make_learner,
    make_organization,
    make_session,
)
from tests.imports.conftest import errors_of, import_text
from training.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(organization):
    course = make_course(organization, reference="XL-2", title="Excel")
    session = make_session(
        organization, course, reference="S-001", start_date=datetime.date(2025, 3, 3)
    )
    helene = make_learner(
        organization, email="helene@example.fr", last_name="Durand", first_name="Hélène"
    )
    paul = make_learner(organization, email="", last_name="Martin", first_name="Paul")
    return session, helene, paul


def test_enrollments_french_headers_created_then_unchanged_summaries_current(
    organization, setting, french
):
    session, helene, paul = setting
    text = (
        "Référence session;Email;Nom;Prénom;Heures suivies\n"
        "S-001;HELENE@example.fr;;;10,5\n"
        "S-001;;Martin;Paul;\n"
    )
    result = import_text(organization, "enrollments", text)
    assert errors_of(result) == []
    assert result.created == 2
    assert Enrollment.objects.get(learner=helene).hours_attended == Decimal("10.5")
    assert Enrollment.objects.get(learner=paul).hours_attended is None
    assert_summaries_current(session)
    again = import_text(organization, "enrollments", text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_enrollment_by_course_and_start_date_english_headers_update(organization, setting):
    session, helene, _paul = setting
    import_text(organization, "enrollments", "Session reference,Email\nS-001,helene@example.fr\n")
    result = import_text(
        organization,
        "enrollments",
        "Course,Start date,Email,Hours attended\nExcel,03/03/2025,helene@example.fr,7\n",
    )
    assert errors_of(result) == []
    assert result.updated == 1
    assert Enrollment.objects.get(learner=helene).hours_attended == Decimal("7")
    assert_summaries_current(session)


def test_enrollment_errors_unknown_session_learner_and_duplicate(organization, setting):
    other = make_organization()
    make_session(other, reference="S-999")
    result = import_text(
        organization,
        "enrollments",
        "Session reference,Email\nS-999,helene@example.fr\nS-001,nobody@example.fr\n"
        "S-001,helene@example.fr\nS-001,Helene@example.fr\n",
    )
    assert [(line, column) for line, column, _ in errors_of(result)] == [
        (2, "Session reference"),
        (3, "Email"),
        (5, "Session reference"),
    ]
    assert not Enrollment.objects.exists()
