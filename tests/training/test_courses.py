from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import make_course, make_enrollment, make_session
from training.models import Course

pytestmark = pytest.mark.django_db


def course_data(**overrides) -> dict:
    data = {
        "title": "Excel avancé",
        "reference": "XL-2",
        "nsf_code": "326",
        "objective": "other",
        "duration_hours": "14",
        "price": "1 234,56",
    }
    return {**data, **overrides}


def test_anonymous_is_sent_to_login(client, organization):
    course = make_course(organization)
    for url in (
        reverse("training:course_list"),
        reverse("training:course_create"),
        reverse("training:course_detail", args=[course.pk]),
        reverse("training:course_edit", args=[course.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_trainer_reads_but_cannot_write(trainer_client, organization):
    course = make_course(organization)
    assert trainer_client.get(reverse("training:course_list")).status_code == 200
    detail = trainer_client.get(reverse("training:course_detail", args=[course.pk]))
    assert detail.status_code == 200
    assert reverse("training:course_edit", args=[course.pk]) not in detail.text
    assert trainer_client.get(reverse("training:course_create")).status_code == 403
    assert trainer_client.post(reverse("training:course_create"), course_data()).status_code == 403
    response = trainer_client.post(reverse("training:course_edit", args=[course.pk]), course_data())
    assert response.status_code == 403
    assert not Course.objects.filter(title="Excel avancé").exists()


def test_other_organisation_course_is_404(admin_client, other_organization):
    stranger = make_course(other_organization)
    assert (
        admin_client.get(reverse("training:course_detail", args=[stranger.pk])).status_code == 404
    )
    assert admin_client.get(reverse("training:course_edit", args=[stranger.pk])).status_code == 404


def test_list_shows_only_this_organisation(admin_client, organization, other_organization):
    make_course(organization, title="Comptabilité", price=Decimal("1234.5"))
    make_course(other_organization, title="Secret")
    response = admin_client.get(reverse("training:course_list"))
    assert "Comptabilité" in response.text and "Secret" not in response.text
    assert "1 234,50 €" in response.text


def test_search_and_htmx_returns_only_the_results(admin_client, organization):
    make_course(organization, title="Comptabilité")
    make_course(organization, title="Soudure")
    response = admin_client.get(
        reverse("training:course_list"), {"q": "compta"}, headers={"HX-Request": "true"}
    )
    assert (
        "<html" not in response.text and 'id="results"' not in response.text
    )  # the inside of #results, not nested
    assert "Comptabilité" in response.text and "Soudure" not in response.text


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_is_fixed(admin_client, organization, django_assert_max_num_queries, rows):
    for _ in range(rows):
        make_session(organization)
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("training:course_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("price", ["1 234,56", "1234.56"])
def test_create_course_reads_french_and_english_prices(admin_client, organization, price):
    response = admin_client.post(reverse("training:course_create"), course_data(price=price))
    course = Course.objects.get(title="Excel avancé")
    assert response.status_code == 302
    assert course.organization == organization
    assert course.price == Decimal("1234.56") and course.nsf_code == "326"
    assert course.duration_hours == Decimal("14")


def test_price_is_optional_and_may_be_zero(admin_client):
    admin_client.post(reverse("training:course_create"), course_data(title="Sans prix", price=""))
    admin_client.post(reverse("training:course_create"), course_data(title="Gratuit", price="0"))
    assert Course.objects.get(title="Sans prix").price is None
    assert Course.objects.get(title="Gratuit").price == Decimal("0")


def test_nsf_select_shows_code_and_label(admin_client):
    response = admin_client.get(reverse("training:course_create"))
    assert "326 — Informatique" in response.text


def test_invalid_values_are_rejected_next_to_fields_and_input_kept(admin_client):
    response = admin_client.post(
        reverse("training:course_create"),
        course_data(nsf_code="999", objective="nope", duration_hours="-3", price="-5"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Select a valid choice" in errors["nsf_code"][0]
    assert "objective" in errors
    assert errors["duration_hours"] == ["Hours cannot be negative."]
    assert errors["price"] == ["A price cannot be negative."]
    assert 'value="Excel avancé"' in response.text
    assert not Course.objects.exists()


def test_edit_course(admin_client, organization):
    course = make_course(organization)
    response = admin_client.post(
        reverse("training:course_edit", args=[course.pk]),
        course_data(title="Renamed", duration_hours="3,5"),
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Renamed" and course.duration_hours == Decimal("3.5")


def test_detail_lists_its_sessions_with_enrolled_count(admin_client, organization):
    course = make_course(organization)
    session = make_session(organization, course, reference="SESS-1")
    make_enrollment(session)
    make_enrollment(session, outcome="cancelled")
    make_session(organization, reference="OTHER-COURSE")
    response = admin_client.get(reverse("training:course_detail", args=[course.pk]))
    assert "SESS-1" in response.text and "OTHER-COURSE" not in response.text
    assert "326 — Informatique" in response.text
    assert [s.enrolled_count for s in response.context["sessions"]] == [1]
