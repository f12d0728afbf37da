from __future__ import annotations

import pytest
from django.urls import reverse

from funding.models import FundingStatus
from funding.types import FundingType
from individuals import views
from individuals.models import Individual
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def individual_urls(individual) -> list[str]:
    pk = individual.pk
    return [
        reverse("individuals:detail", args=[pk]),
        reverse("individuals:funding", args=[pk]),
        reverse("individuals:funding_add", args=[pk]),
        reverse("individuals:edit", args=[pk]),
    ]


def module_urls(individual) -> list[str]:
    return [
        reverse("individuals:list"),
        reverse("individuals:create"),
        reverse("individuals:learner_suggestions") + "?learner_query=a",
        *individual_urls(individual),
    ]


# --- access ---


def test_anonymous_is_sent_to_login(client, organization):
    individual = make_individual(make_learner(organization))
    for url in module_urls(individual):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_trainer_gets_403_everywhere_including_posts_and_partials(trainer_client, organization):
    learner = make_learner(organization)
    individual = make_individual(learner)
    for url in module_urls(individual):
        assert trainer_client.get(url).status_code == 403, url
        assert trainer_client.get(url, headers=HTMX).status_code == 403, url
        assert trainer_client.post(url, {}).status_code == 403, url
    for name in ("individuals:archive", "individuals:unarchive"):
        url = reverse(name, args=[individual.pk])
        assert trainer_client.post(url).status_code == 403
    # Nothing was written by any of those POSTs.
    individual.refresh_from_db()
    assert individual.archived_at is None
    assert Individual.objects.count() == 1


def test_trainer_sidebar_has_no_individuals_entry(trainer_client):
    response = trainer_client.get(reverse("learners:list"))
    assert reverse("individuals:list") not in response.text


def test_other_organisation_individual_is_404(admin_client, other_organization):
    stranger = make_individual(make_learner(other_organization))
    for url in individual_urls(stranger):
        assert admin_client.get(url).status_code == 404, url
    for name in ("individuals:archive", "individuals:unarchive", "individuals:edit"):
        assert admin_client.post(reverse(name, args=[stranger.pk])).status_code == 404
    stranger.refresh_from_db()
    assert stranger.archived_at is None


# --- list ---


def test_list_shows_active_individuals_of_this_organisation(
    admin_client, organization, other_organization
):
    make_individual(make_learner(organization, last_name="Dupont"))
    make_individual(
        make_learner(organization, last_name="Archivé"), archived_at="2025-01-01T00:00Z"
    )
    make_individual(make_learner(other_organization, last_name="Secret"))
    response = admin_client.get(reverse("individuals:list"))
    assert response.status_code == 200
    assert "Dupont" in response.text
    assert "Archivé" not in response.text and "Secret" not in response.text
    assert "+ New individual" in response.text
    archived = admin_client.get(reverse("individuals:list"), {"show": "archived"})
    assert "Archivé" in archived.text and "Dupont" not in archived.text


def test_list_row_shows_counts_total_and_status_summary(admin_client, organization):
    learner = make_learner(organization, first_name="Camille", last_name="Martin")
    individual = make_individual(learner, billing_email="billing@example.fr")
    session = make_session(organization)
    enrollment = make_enrollment(session, learner)
    make_allocation(enrollment, amount="1000.00", status=FundingStatus.APPROVED)
    make_allocation(enrollment, amount="234.56", status=FundingStatus.PAID)
    make_allocation(enrollment, amount="500.00", status=FundingStatus.PENDING)
    make_allocation(
        enrollment, funding_type=FundingType.SELF_FUNDED, amount="80", status=FundingStatus.PENDING
    )
    make_allocation(enrollment, amount="999.00", status=FundingStatus.REJECTED)
    response = admin_client.get(reverse("individuals:list"))
    row = response.context["page"].object_list[0]
    assert row == individual
    assert row.allocation_count == 5
    # Only Approved and Paid count, at their approved amount.
    assert "1 234,56 €" in response.text
    assert row.status_summary == [
        ("pending", "Pending", 2),
        ("approved", "Approved", 1),
        ("paid", "Paid", 1),
        ("rejected", "Rejected", 1),
    ]
    assert "billing@example.fr" in response.text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("mart", True),
        ("camille mart", True),
        ("camille@example", True),
        ("Société", True),
        ("1234 5678 901", True),
        ("45678", True),
        ("bernard", False),
    ],
)
def test_search_by_name_email_or_case_number(admin_client, organization, query, found):
    learner = make_learner(
        organization, first_name="Camille", last_name="Martin", email="camille@example.fr"
    )
    make_individual(learner, billing_name="Société Martin")
    make_allocation(
        make_enrollment(make_session(organization), learner), cpf_case_number="12345678901"
    )
    make_individual(make_learner(organization, first_name="Hugo", last_name="Bernard"))
    response = admin_client.get(reverse("individuals:list"), {"q": query}, headers=HTMX)
    names = [individual.learner.last_name for individual in response.context["page"].object_list]
    assert ("Martin" in names) is found
    assert (
        "<html" not in response.text and 'id="results"' not in response.text
    )  # the inside of #results, not nested


@pytest.mark.parametrize("few_found", [0, 5000])
def test_search_finds_and_orders_the_same_rows_found_few_or_many(
    admin_client, organization, monkeypatch, few_found
):
    # Many found (more than FEW_FOUND): the page is read by walking the names; few: sorted.
    monkeypatch.setattr(views, "FEW_FOUND", few_found)
    ties = [make_learner(organization, first_name="Anne", last_name="Martin") for _ in range(2)]
    for learner in reversed(ties):
        make_individual(learner)
    make_individual(make_learner(organization, first_name="Zoé", last_name="Martinez"))
    make_individual(make_learner(organization, last_name="Bernard"), billing_name="Martin SARL")
    make_individual(make_learner(organization, last_name="Dupont"))
    response = admin_client.get(reverse("individuals:list"), {"q": "mart"})
    rows = [individual.learner for individual in response.context["page"].object_list]
    assert [learner.last_name for learner in rows] == ["Bernard", "Martin", "Martin", "Martinez"]
    assert rows[1:3] == ties
    assert response.context["page"].paginator.count == 4


def test_search_keeps_the_archived_switch(admin_client, organization):
    make_individual(make_learner(organization, last_name="Martin"), archived_at="2025-01-01T00:00Z")
    make_individual(make_learner(organization, last_name="Martinez"))
    response = admin_client.get(reverse("individuals:list"), {"q": "mart", "show": "archived"})
    names = [individual.learner.last_name for individual in response.context["page"].object_list]
    assert names == ["Martin"]


def test_list_is_paginated(admin_client, organization):
    for _ in range(30):
        make_individual(make_learner(organization))
    response = admin_client.get(reverse("individuals:list"))
    assert len(response.context["page"].object_list) == 25
    assert "Page 1 of 2" in response.text
    second = admin_client.get(reverse("individuals:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_list_orders_by_name_then_learner_and_counts_every_page(admin_client, organization):
    # Created in the reverse order of their learners: ties on the name go by learner.
    learners = [make_learner(organization, last_name="Dupont", first_name="Anne") for _ in range(3)]
    for learner in reversed(learners):
        make_individual(learner)
    make_individual(make_learner(organization, last_name="Albert"))
    for _ in range(26):
        make_individual(make_learner(organization, last_name="Zola"))
    response = admin_client.get(reverse("individuals:list"))
    rows = [individual.learner for individual in response.context["page"].object_list]
    assert [learner.last_name for learner in rows[:4]] == ["Albert", "Dupont", "Dupont", "Dupont"]
    assert rows[1:4] == learners
    assert response.context["page"].paginator.count == 30
    assert "Page 1 of 2" in response.text


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_is_fixed(admin_client, organization, django_assert_num_queries, rows):
    session = make_session(organization)
    for _ in range(rows):
        learner = make_learner(organization)
        enrollment = make_enrollment(session, learner)
        make_allocation(enrollment, status=FundingStatus.APPROVED)
        make_allocation(enrollment, funding_type=FundingType.SELF_FUNDED, status="pending")
    # Session, user, the memberships (current and the layout's switcher), count, the page's
    # individuals, their funding figures: the same six queries whatever the number of rows.
    with django_assert_num_queries(6):
        response = admin_client.get(reverse("individuals:list"), {"q": "Nom"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 25)


# --- create ---


def test_learner_suggestions_as_you_type(admin_client, organization, other_organization):
    make_learner(organization, first_name="Camille", last_name="Martin")
    taken = make_learner(organization, first_name="Camilla", last_name="Martinez")
    existing = make_individual(taken)
    make_learner(other_organization, first_name="Camille", last_name="Martin-Secret")
    response = admin_client.get(
        reverse("individuals:learner_suggestions"), {"learner_query": "cami"}, headers=HTMX
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert "Camille Martin" in response.text and "Secret" not in response.text
    # A learner with a record is not offered again: the suggestion links to that record.
    assert "already has an individual record" in response.text
    assert reverse("individuals:detail", args=[existing.pk]) in response.text
    assert f"?learner={taken.pk}" not in response.text


def test_empty_query_suggests_nothing(admin_client, organization):
    make_learner(organization, first_name="Camille")
    response = admin_client.get(
        reverse("individuals:learner_suggestions"), {"learner_query": ""}, headers=HTMX
    )
    assert "Camille" not in response.text


def test_choosing_a_learner_prefills_billing_details(admin_client, organization):
    learner = make_learner(
        organization,
        first_name="Camille",
        last_name="Martin",
        email="camille@example.fr",
        address="3 rue des Lilas\n75011 Paris",
    )
    response = admin_client.get(
        reverse("individuals:create"), {"learner": learner.pk}, headers=HTMX
    )
    assert "<html" not in response.text and 'id="individual-form"' in response.text
    form = response.context["form"]
    assert form.initial["learner"] == learner.pk
    assert form.initial["billing_name"] == "Camille Martin"
    assert form.initial["billing_email"] == "camille@example.fr"
    assert form.initial["billing_address"] == "3 rue des Lilas\n75011 Paris"
    assert f'name="learner" value="{learner.pk}"' in response.text


def test_search_then_choose_works_without_javascript(admin_client, organization):
    learner = make_learner(organization, first_name="Camille", last_name="Martin")
    response = admin_client.get(reverse("individuals:create"), {"learner_query": "mart"})
    assert "<html" in response.text
    assert f"{reverse('individuals:create')}?learner={learner.pk}" in response.text
    # As you type, a new search aborts the one still running: an older answer never replaces
    # the list the user is moving in.
    assert 'hx-sync="this:replace"' in response.text


def test_another_organisations_learner_is_not_prefilled(admin_client, other_organization):
    stranger = make_learner(other_organization, first_name="Secret")
    response = admin_client.get(reverse("individuals:create"), {"learner": stranger.pk})
    assert response.status_code == 200
    assert "Secret" not in response.text


def test_create_individual(admin_client, organization):
    learner = make_learner(organization, employer=make_company(organization))
    response = admin_client.post(
        reverse("individuals:create"),
        {
            "learner": learner.pk,
            "learner_query": learner.full_name,
            "billing_name": "Camille Martin",
            "billing_email": "perso@example.fr",
            "billing_address": "",
            "notes": "",
        },
    )
    individual = Individual.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("individuals:detail", args=[individual.pk])
    assert individual.learner == learner and individual.organization == organization
    assert individual.billing_email == "perso@example.fr"


def test_learner_with_a_record_is_refused_with_a_link(admin_client, organization):
    learner = make_learner(organization, first_name="Camille", last_name="Martin")
    existing = make_individual(learner)
    response = admin_client.post(
        reverse("individuals:create"),
        {"learner": learner.pk, "learner_query": "Camille", "billing_name": "Typed"},
    )
    assert response.status_code == 200
    assert "Camille Martin already has an individual record." in response.text
    assert reverse("individuals:detail", args=[existing.pk]) in response.text
    assert 'value="Typed"' in response.text
    assert Individual.objects.count() == 1


def test_learner_of_another_organisation_is_an_invalid_choice(admin_client, other_organization):
    stranger = make_learner(other_organization)
    response = admin_client.post(reverse("individuals:create"), {"learner": stranger.pk})
    assert "Select a valid choice" in response.context["form"].errors["learner"][0]
    assert not Individual.objects.exists()


def test_learner_must_be_chosen(admin_client):
    response = admin_client.post(
        reverse("individuals:create"), {"learner_query": "Martin", "billing_name": "X"}
    )
    assert "Choose a learner among the suggestions." in response.text
    assert 'value="Martin"' in response.text
    assert not Individual.objects.exists()


# --- detail, tabs, edit, archive ---


def test_detail_overview_and_tabs(admin_client, organization):
    learner = make_learner(organization, first_name="Camille", last_name="Martin")
    individual = make_individual(learner)
    response = admin_client.get(reverse("individuals:detail", args=[individual.pk]))
    assert response.status_code == 200 and "<html" in response.text
    assert reverse("individuals:funding", args=[individual.pk]) in response.text
    assert reverse("learners:detail", args=[learner.pk]) in response.text
    tab = admin_client.get(reverse("individuals:funding", args=[individual.pk]), headers=HTMX)
    assert "<html" not in tab.text and 'id="tab-area"' in tab.text
    assert "+ Add funding" in tab.text
    full = admin_client.get(reverse("individuals:funding", args=[individual.pk]))
    assert "<html" in full.text and "+ Add funding" in full.text


def test_funding_tab_lists_allocations(admin_client, organization):
    learner = make_learner(organization)
    individual = make_individual(learner)
    session = make_session(organization, reference="SESS-9")
    make_allocation(
        make_enrollment(session, learner),
        amount="1234.56",
        status=FundingStatus.PAID,
        cpf_case_number="98765432101",
    )
    response = admin_client.get(reverse("individuals:funding", args=[individual.pk]))
    for text in ("CPF", "SESS-9", "1 234,56 €", "98765432101", "Paid", "04/03/2025"):
        assert text in response.text
    assert "Reverse payment" in response.text


def test_edit_billing_details(admin_client, organization):
    individual = make_individual(make_learner(organization))
    url = reverse("individuals:edit", args=[individual.pk])
    bad = admin_client.post(url, {"billing_name": "Kept", "billing_email": "not-an-email"})
    assert "billing_email" in bad.context["form"].errors and 'value="Kept"' in bad.text
    response = admin_client.post(url, {"billing_name": "Société Martin", "billing_email": ""})
    assert response.status_code == 302
    individual.refresh_from_db()
    assert individual.billing_name == "Société Martin"


def test_archive_and_unarchive(admin_client, organization):
    individual = make_individual(make_learner(organization, last_name="Martin"))
    assert admin_client.get(reverse("individuals:archive", args=[individual.pk])).status_code == 405
    response = admin_client.post(reverse("individuals:archive", args=[individual.pk]), follow=True)
    assert "archived" in response.text
    individual.refresh_from_db()
    assert individual.is_archived
    assert "Martin" not in admin_client.get(reverse("individuals:list")).text
    admin_client.post(reverse("individuals:unarchive", args=[individual.pk]))
    individual.refresh_from_db()
    assert not individual.is_archived
