"""Importing courses and sessions."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.conftest import make_course, make_enrollment, make_organization, make_session
from tests.imports.conftest import errors_of, import_text
from training.models import Course, Delivery, Objective, Session

pytestmark = pytest.mark.django_db

COURSES = (
    "Intitulé;Référence;Code NSF;Objectif;Durée (heures);Prix HT\n"
    "Excel avancé;XL-2;326;Autre formation professionnelle;14;1 200,50\n"
    "Anglais;;136;other;38,5;\n"
)


def test_courses_french_headers_decimal_comma_then_unchanged(organization, french):
    result = import_text(organization, "courses", COURSES)
    assert errors_of(result) == []
    assert result.created == 2
    excel = Course.objects.get(reference="XL-2")
    assert (excel.duration_hours, excel.price, excel.objective) == (
        Decimal("14"),
        Decimal("1200.50"),
        Objective.OTHER,
    )
    assert Course.objects.get(title="Anglais").duration_hours == Decimal("38.5")
    again = import_text(organization, "courses", COURSES)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_courses_english_headers_matched_by_reference_else_title(organization):
    make_course(organization, reference="XL-2", title="Old title", duration_hours=Decimal("7"))
    result = import_text(
        organization,
        "courses",
        "Title,Reference,Duration (hours),Price\nExcel,XL-2,14,1200.50\nAnglais,,38.5,\n",
    )
    assert errors_of(result) == []
    assert (result.created, result.updated) == (1, 1)
    assert Course.objects.get(reference="XL-2").title == "Excel"


def test_course_ambiguous_and_invalid_values(organization):
    make_course(organization, reference="", title="Excel")
    make_course(organization, reference="", title="excel")
    result = import_text(
        organization, "courses", "Title,Duration,NSF code\nExcel,14,\nWord,-3,999\n"
    )
    lines = [(line, column) for line, column, _ in errors_of(result)]
    assert (2, "Title") in lines
    assert (3, "Duration") in lines
    assert (3, "NSF code") in lines
    assert Course.objects.count() == 2


def test_another_organisations_course_reference_is_not_matched(organization):
    other = make_organization()
    make_course(other, reference="XL-2", title="Theirs")
    result = import_text(organization, "courses", COURSES)
    assert result.created == 2
    assert Course.objects.get(organization=other).title == "Theirs"


SESSIONS = (
    "Formation;Référence;Date de début;Date de fin;Heures;Lieu;À distance;Réalisation\n"
    "XL-2;S-001;03/03/2025;04/03/2025;;Lyon;non;Réalisée par nous\n"
    "Anglais;;10/03/2025;28/03/2025;38,5;;oui;direct\n"
)


def test_sessions_french_dates_course_by_reference_or_title_then_unchanged(organization, french):
    excel = make_course(organization, reference="XL-2", title="Excel", duration_hours=14)
    make_course(organization, reference="", title="Anglais", duration_hours=Decimal("30"))
    result = import_text(organization, "sessions", SESSIONS)
    assert errors_of(result) == []
    assert result.created == 2
    session = Session.objects.get(reference="S-001")
    assert (session.course, session.start_date, session.hours, session.location) == (
        excel,
        datetime.date(2025, 3, 3),
        Decimal("14"),
        "Lyon",
    )
    assert session.delivery == Delivery.DIRECT
    english = Session.objects.get(course__title="Anglais")
    assert (english.hours, english.distance) == (Decimal("38.5"), True)
    again = import_text(organization, "sessions", SESSIONS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_session_matched_by_course_and_start_date_updates_and_refreshes_once(
    organization, django_assert_max_num_queries
):
    course = make_course(organization, reference="XL-2", duration_hours=14)
    session = make_session(organization, course, reference="", start_date=datetime.date(2025, 3, 3))
    make_enrollment(session)
    result = import_text(
        organization,
        "sessions",
        "Course,Start date,End date,Hours\nXL-2,2025-03-03,2025-03-07,35\n",
    )
    assert errors_of(result) == []
    assert result.updated == 1
    session.refresh_from_db()
    assert (session.end_date, session.hours) == (datetime.date(2025, 3, 7), Decimal("35"))
    from tests.conftest import assert_summaries_current

    assert_summaries_current(session)


def test_session_errors_unknown_course_bad_date_end_before_start(organization):
    make_course(organization, reference="XL-2")
    result = import_text(
        organization,
        "sessions",
        "Course,Reference,Start date,End date\n"
        "Nope,A,03/03/2025,04/03/2025\n"
        "XL-2,B,31/02/2025,04/03/2025\n"
        "XL-2,C,05/03/2025,04/03/2025\n",
    )
    assert [(line, column) for line, column, _ in errors_of(result)] == [
        (2, "Course"),
        (3, "Start date"),
        (4, "End date"),
    ]
    assert not Session.objects.exists()


def test_another_organisations_session_reference_is_not_matched(organization):
    other = make_organization()
    make_session(other, reference="S-001")
    make_course(organization, reference="XL-2")
    make_course(organization, reference="", title="Anglais")
    result = import_text(organization, "sessions", SESSIONS)
    assert errors_of(result) == []
    assert result.created == 2
