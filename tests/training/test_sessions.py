from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import make_course, make_enrollment, make_session
from training.models import Session

pytestmark = pytest.mark.django_db


def session_data(course, **overrides) -> dict:
    data = {
        "course": course.pk,
        "reference": "S-2025-01",
        "start_date": "2025-03-03",
        "end_date": "2025-03-04",
        "hours": "",
        "location": "Lyon",
        "delivery": "direct",
    }
    return {**data, **overrides}


def test_anonymous_is_sent_to_login(client, organization):
    session = make_session(organization)
    for url in (
        reverse("training:session_list"),
        reverse("training:session_create"),
        reverse("training:session_detail", args=[session.pk]),
        reverse("training:session_edit", args=[session.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_trainer_reads_but_cannot_write(trainer_client, organization):
    session = make_session(organization)
    assert trainer_client.get(reverse("training:session_list")).status_code == 200
    detail = trainer_client.get(reverse("training:session_detail", args=[session.pk]))
    assert detail.status_code == 200
    assert "enroll_form" not in detail.context
    assert reverse("training:session_edit", args=[session.pk]) not in detail.text
    assert trainer_client.get(reverse("training:session_create")).status_code == 403
    data = session_data(session.course)
    assert trainer_client.post(reverse("training:session_create"), data).status_code == 403
    edit_url = reverse("training:session_edit", args=[session.pk])
    assert trainer_client.post(edit_url, data).status_code == 403
    assert not Session.objects.filter(reference="S-2025-01").exists()


def test_other_organisation_session_is_404(admin_client, other_organization):
    stranger = make_session(other_organization)
    for name in ("training:session_detail", "training:session_edit"):
        assert admin_client.get(reverse(name, args=[stranger.pk])).status_code == 404


def test_list_shows_only_this_organisation_with_columns(
    admin_client, organization, other_organization
):
    course = make_course(organization, title="Soudure TIG")
    session = make_session(
        organization,
        course,
        reference="S-OURS",
        start_date=datetime.date(2025, 12, 29),
        end_date=datetime.date(2026, 1, 9),
        hours=Decimal("35"),
        delivery="subcontracted_out",
    )
    make_enrollment(session)
    make_enrollment(session)
    make_enrollment(session, outcome="cancelled")
    make_session(other_organization, reference="S-SECRET")
    response = admin_client.get(reverse("training:session_list"))
    assert "S-OURS" in response.text and "S-SECRET" not in response.text
    assert "Soudure TIG" in response.text
    assert "29/12/2025 – 09/01/2026" in response.text
    assert "Subcontracted to another organisation" in response.text
    assert response.context["page"].object_list[0].enrolled_count == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [("S-AAA", "S-AAA"), ("soudure", "S-AAA"), ("grenoble", "S-BBB")],
)
def test_search_by_reference_course_location_htmx_partial(
    admin_client, organization, query, expected
):
    make_session(organization, make_course(organization, title="Soudure"), reference="S-AAA")
    make_session(organization, reference="S-BBB", location="Grenoble")
    response = admin_client.get(
        reverse("training:session_list"), {"q": query}, headers={"HX-Request": "true"}
    )
    assert (
        "<html" not in response.text and 'id="results"' not in response.text
    )  # the inside of #results, not nested
    references = {s.reference for s in response.context["page"].object_list}
    assert references == {expected}


def test_period_filter_keeps_sessions_overlapping_it(admin_client, organization):
    make_session(
        organization,
        reference="S-2024",
        start_date=datetime.date(2024, 5, 1),
        end_date=datetime.date(2024, 5, 2),
    )
    make_session(
        organization,
        reference="S-STRADDLE",
        start_date=datetime.date(2024, 12, 30),
        end_date=datetime.date(2025, 1, 3),
    )
    make_session(
        organization,
        reference="S-2025",
        start_date=datetime.date(2025, 6, 1),
        end_date=datetime.date(2025, 6, 2),
    )
    response = admin_client.get(
        reverse("training:session_list"), {"start": "2025-01-01", "end": "2025-12-31"}
    )
    references = {s.reference for s in response.context["page"].object_list}
    assert references == {"S-STRADDLE", "S-2025"}
    # A malformed date is ignored rather than breaking the page.
    response = admin_client.get(reverse("training:session_list"), {"start": "soon"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 3


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_is_fixed(admin_client, organization, django_assert_max_num_queries, rows):
    for _ in range(rows):
        make_enrollment(make_session(organization))
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("training:session_list"))
    assert response.status_code == 200


def test_create_session_defaults_hours_to_the_course_duration(admin_client, organization):
    course = make_course(organization, duration_hours=Decimal("21"))
    response = admin_client.post(
        reverse("training:session_create"), session_data(course, distance="on")
    )
    session = Session.objects.get(reference="S-2025-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("training:session_detail", args=[session.pk])
    assert session.organization == organization and session.course == course
    assert session.hours == Decimal("21") and session.distance is True


def test_explicit_hours_are_kept(admin_client, organization):
    course = make_course(organization, duration_hours=Decimal("21"))
    admin_client.post(reverse("training:session_create"), session_data(course, hours="7,5"))
    assert Session.objects.get(reference="S-2025-01").hours == Decimal("7.5")


def test_end_before_start_and_negative_hours_are_errors_next_to_fields(admin_client, organization):
    course = make_course(organization)
    response = admin_client.post(
        reverse("training:session_create"),
        session_data(course, start_date="2025-03-10", end_date="2025-03-09", hours="-2"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["end_date"] == ["The end date cannot be before the start date."]
    assert errors["hours"] == ["Hours cannot be negative."]
    assert 'id="id_end_date_error"' in response.text
    assert 'value="S-2025-01"' in response.text and 'value="2025-03-10"' in response.text
    assert not Session.objects.exists()


def test_another_organisations_course_is_an_invalid_choice(
    admin_client, organization, other_organization
):
    foreign_course = make_course(other_organization)
    response = admin_client.post(reverse("training:session_create"), session_data(foreign_course))
    assert "Select a valid choice" in response.context["form"].errors["course"][0]
    assert 'value="Lyon"' in response.text
    assert not Session.objects.exists()


def test_course_select_offers_only_this_organisation(
    admin_client, organization, other_organization
):
    make_course(organization, title="Nôtre")
    make_course(other_organization, title="Leur cours")
    response = admin_client.get(reverse("training:session_create"))
    assert "Nôtre" in response.text and "Leur cours" not in response.text


def test_edit_session(admin_client, organization):
    session = make_session(organization)
    response = admin_client.post(
        reverse("training:session_edit", args=[session.pk]),
        session_data(session.course, reference="RENAMED", delivery="subcontracted_in", hours="3"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.reference == "RENAMED" and session.delivery == "subcontracted_in"
    assert session.hours == Decimal("3")
