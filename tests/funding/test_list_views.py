from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import FundingStatus
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("funding:list")
EXPORT_URLS = [
    reverse("funding:export_xlsx"),
    reverse("funding:export_csv"),
    reverse("funding:export_by_funder"),
]


def rows(response) -> list:
    return list(response.context["page"].object_list)


def test_anonymous_is_sent_to_login(client):
    for url in [LIST_URL, *EXPORT_URLS]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_trainer_gets_403_on_page_partial_and_exports(trainer_client, organization):
    make_allocation(make_enrollment(make_session(organization)))
    assert trainer_client.get(LIST_URL).status_code == 403
    assert trainer_client.get(LIST_URL, headers={"HX-Request": "true"}).status_code == 403
    for url in EXPORT_URLS:
        assert trainer_client.get(url).status_code == 403


def test_trainer_sidebar_has_no_funding_entry(trainer_client):
    response = trainer_client.get(reverse("dashboard"))
    assert f'href="{LIST_URL}"' not in response.text


def test_lists_only_this_organisation(admin_client, organization, other_organization):
    make_allocation(
        make_enrollment(make_session(organization), make_learner(organization, last_name="Dupont"))
    )
    make_allocation(
        make_enrollment(
            make_session(other_organization), make_learner(other_organization, last_name="Secret")
        )
    )
    response = admin_client.get(LIST_URL)
    assert response.status_code == 200
    assert "Dupont" in response.text
    assert "Secret" not in response.text
    assert response.context["totals"].count == 1


def test_rows_link_to_the_carrier(admin_client, organization):
    company = make_company(organization, name="Acme")
    learner = make_learner(organization, employer=company)
    enrollment = make_enrollment(make_session(organization), learner)
    opco = make_allocation(enrollment, funding_type=FundingType.OPCO_SKILLS_PLAN, carrier=company)
    cpf = make_allocation(enrollment, funding_type=FundingType.CPF)
    response = admin_client.get(LIST_URL)
    urls = {allocation.pk: allocation.carrier_url for allocation in rows(response)}
    assert urls[opco.pk].startswith(reverse("companies:detail", args=[company.pk]))
    assert urls[cpf.pk] == reverse("individuals:funding", args=[cpf.individual_id])
    for url in urls.values():
        assert f'href="{url}"' in response.text


@pytest.fixture
def varied(organization):
    """Six allocations that differ in every filtered attribute."""
    course_a = make_course(organization, title="Excel avancé")
    course_b = make_course(organization, title="Management")
    march = make_session(
        organization,
        course_a,
        reference="MARS",
        start_date=datetime.date(2025, 3, 3),
        end_date=datetime.date(2025, 3, 4),
    )
    june = make_session(
        organization,
        course_b,
        reference="JUIN",
        start_date=datetime.date(2025, 6, 30),
        end_date=datetime.date(2025, 7, 2),
    )
    acme = make_company(organization, name="Acme Industrie")
    alice = make_learner(organization, first_name="Alice", last_name="Martin", employer=acme)
    bruno = make_learner(organization, first_name="Bruno", last_name="Petit", employer=acme)
    make_individual(alice, billing_name="Alice M. Facturation")
    alice_march, bruno_march = make_enrollment(march, alice), make_enrollment(march, bruno)
    alice_june = make_enrollment(june, alice)
    return {
        "march": march,
        "june": june,
        "course_a": course_a,
        "course_b": course_b,
        "cpf": make_allocation(
            alice_march, amount="800.00", cpf_case_number="12345678901", status="approved"
        ),
        "opco": make_allocation(
            alice_march,
            funding_type=FundingType.OPCO_SKILLS_PLAN,
            amount="400.00",
            carrier=acme,
            funder_reference="OPCO-2025-77",
            status="paid",
        ),
        "bruno_employer": make_allocation(
            bruno_march, funding_type=FundingType.EMPLOYER, amount="1200.00", carrier=acme,
            status="pending",
        ),
        "bruno_ft": make_allocation(
            bruno_march, funding_type=FundingType.FRANCE_TRAVAIL, amount="300.00",
            status="rejected",
        ),
        "june_self": make_allocation(
            alice_june, funding_type=FundingType.SELF_FUNDED, amount="150.50", status="approved"
        ),
        "june_cpf": make_allocation(alice_june, amount="99.99", status="pending"),
    }  # fmt: skip


MARCH = {"cpf", "opco", "bruno_employer", "bruno_ft"}
JUNE = {"june_self", "june_cpf"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, MARCH | JUNE),
        ({"funding_type": "cpf"}, {"cpf", "june_cpf"}),
        ({"status": "pending"}, {"bruno_employer", "june_cpf"}),
        ({"carrier": "company"}, {"opco", "bruno_employer"}),
        ({"carrier": "individual"}, {"cpf", "bruno_ft", "june_self", "june_cpf"}),
        ({"q": "petit"}, {"bruno_employer", "bruno_ft"}),
        ({"q": "acme"}, {"opco", "bruno_employer"}),
        ({"q": "facturation"}, {"cpf", "june_self", "june_cpf"}),
        ({"q": "1234 5678 901"}, {"cpf"}),
        ({"q": "opco-2025"}, {"opco"}),
        ({"q": "alice acme"}, {"opco"}),
        ({"period_from": "2025-07-01"}, JUNE),
        ({"period_to": "2025-06-30"}, MARCH | JUNE),
        ({"period_to": "2025-06-29"}, MARCH),
        ({"period_from": "04/03/2025", "period_to": "04/03/2025"}, MARCH),
        ({"period_from": "2025-03-05", "period_to": "2025-06-29"}, set()),
        ({"status": "approved", "carrier": "individual"}, {"cpf", "june_self"}),
    ],
)  # fmt: skip
def test_filters(admin_client, varied, params, expected):
    response = admin_client.get(LIST_URL, params)
    assert response.status_code == 200
    names = {name for name, value in varied.items() if hasattr(value, "approved_amount")}
    by_pk = {varied[name].pk: name for name in names}
    assert {by_pk[allocation.pk] for allocation in rows(response)} == expected
    assert response.context["totals"].count == len(expected)


def test_session_and_course_filters(admin_client, varied):
    response = admin_client.get(LIST_URL, {"session": varied["june"].pk})
    assert {a.pk for a in rows(response)} == {varied["june_self"].pk, varied["june_cpf"].pk}
    response = admin_client.get(LIST_URL, {"course": varied["course_a"].pk})
    assert len(rows(response)) == 4


def test_session_filter_is_a_link_not_a_menu_of_every_session(admin_client, varied):
    june = varied["june"]
    page = admin_client.get(LIST_URL)
    assert 'select name="session"' not in page.text
    assert f'href="?session={june.pk}"' in page.text  # each row's session filters by it
    filtered = admin_client.get(LIST_URL, {"session": june.pk, "status": "approved"})
    assert "All sessions" in filtered.text
    assert 'href="?status=approved"' in filtered.text  # the way out keeps the other filters


def test_another_organisations_session_is_an_invalid_filter(
    admin_client, varied, other_organization
):
    foreign = make_session(other_organization)
    response = admin_client.get(LIST_URL, {"session": foreign.pk})
    assert "session" in response.context["form"].errors
    assert len(rows(response)) == 6  # the invalid filter is ignored, nothing leaks


def test_period_end_before_start_is_an_error(admin_client, varied):
    params = {"period_from": "2025-07-01", "period_to": "2025-03-01"}
    response = admin_client.get(LIST_URL, params)
    assert "period_to" in response.context["form"].errors
    assert response.text.count("cannot be before") == 1  # next to the field
    # Typing in the filters (htmx) swaps only the results: the error is said there.
    partial = admin_client.get(LIST_URL, params, headers={"HX-Request": "true"})
    assert "cannot be before its start. (this filter is ignored)" in partial.text
    assert {a.pk for a in rows(partial)} == {varied["june_self"].pk, varied["june_cpf"].pk}


def test_totals_by_type_and_status_for_the_filter(admin_client, varied):
    response = admin_client.get(LIST_URL, {"q": "alice"})
    totals = response.context["totals"]
    by_type = {line.key: line for line in totals.by_type}
    assert by_type["cpf"].count == 2
    assert by_type["cpf"].approved_amount == Decimal("899.99")
    assert by_type["cpf"].counted_amount == Decimal("800.00")
    assert by_type["opco_skills_plan"].bpf_line == "h"
    by_status = {line.key: (line.count, line.approved_amount) for line in totals.by_status}
    assert by_status == {
        "approved": (2, Decimal("950.50")),
        "paid": (1, Decimal("400.00")),
        "pending": (1, Decimal("99.99")),
    }
    # Lines follow the order of the choices, whatever the database returns.
    assert [line.key for line in totals.by_status] == ["pending", "approved", "paid"]
    assert totals.approved_amount == Decimal("1450.49")
    assert totals.counted_amount == Decimal("1350.50")
    assert "1 450,49 €" in response.text


def test_htmx_returns_only_the_results(admin_client, varied):
    response = admin_client.get(LIST_URL, {"q": "petit"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    # The inside of #results only (htmx swaps it in), not a second #results.
    assert 'id="results"' not in response.text and "Export CSV" in response.text
    assert "Petit" in response.text and "Martin" not in response.text


def test_export_links_keep_the_filters(admin_client, varied):
    response = admin_client.get(LIST_URL, {"status": "pending", "page": "1"})
    assert f"{reverse('funding:export_csv')}?status=pending" in response.text
    assert "page=1" not in response.text.split(reverse("funding:export_csv"))[1][:40]


def test_pagination_keeps_the_filters(admin_client, organization):
    session = make_session(organization)
    for _ in range(30):
        make_allocation(make_enrollment(session), status=FundingStatus.APPROVED)
    response = admin_client.get(LIST_URL, {"status": "approved"})
    assert len(rows(response)) == 25
    assert "?status=approved&amp;page=2" in response.text
    second = admin_client.get(LIST_URL, {"status": "approved", "page": "2"})
    assert len(rows(second)) == 5


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_is_fixed(admin_client, organization, django_assert_num_queries, count):
    acme = make_company(organization)
    sessions = [make_session(organization) for _ in range(3)]
    for index in range(count):
        enrollment = make_enrollment(sessions[index % 3], make_learner(organization, employer=acme))
        if index % 2:
            make_allocation(enrollment, funding_type=FundingType.OPCO_SKILLS_PLAN, carrier=acme)
        else:
            make_allocation(enrollment, status=FundingStatus.PENDING)
    # Session, user, the memberships (current and the sidebar's); the totals (by type and by
    # status in one query, which also give the page count); the page's rows; the course choices
    # of the filter form (sessions are not a menu: there can be thousands). None of them depends
    # on the number of allocations.
    with django_assert_num_queries(6):
        response = admin_client.get(LIST_URL, {"status": ""})
    assert response.status_code == 200
    assert response.context["totals"].count == count
