"""The Funding page's search looked up table by table (funding/search.py): the same rows, in the
same order, with the same totals as the one OR across the joins it replaces, for many queries
and filters, with few found (sorted) and many (the sessions walked)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from certeef.lists import words_matching
from certeef.validators import normalize_digits
from funding import search
from funding.models import FundingAllocation, FundingStatus
from funding.search import found_allocations, funding_page, searched_per_table
from funding.selectors import (
    AllocationFilters,
    allocation_list,
    allocation_totals,
    filter_allocations,
)
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
from tests.funding.test_totals import shown_totals

pytestmark = pytest.mark.django_db


def reference_search(allocations, query: str):
    """`search_allocations` as it was before the per-table lookups: one OR across the joins."""
    query = query.strip()
    if not query:
        return allocations
    digits = normalize_digits(query)
    if digits.isdigit():
        return allocations.filter(
            Q(cpf_case_number__contains=digits)
            | Q(funder_reference__icontains=query)
            | Q(remittance_reference__icontains=query)
        )
    return allocations.filter(
        words_matching(
            query,
            "learner__first_name",
            "learner__last_name",
            "company__name",
            "individual__billing_name",
            "cpf_case_number",
            "funder_reference",
            "remittance_reference",
        )
    )


@pytest.fixture
def varied(organization, other_organization):
    """Allocations whose words lie in every searched field of every table: learners' names (one
    word in the first name, another in the last), companies, individuals' billing names, case
    numbers, funder and remittance references; a learner found through two tables (a row found
    twice must count once); sessions on several dates (the page's order); and another
    organisation's allocations with the same names, never found."""
    courses = [make_course(organization, title="Excel"), make_course(organization, title="Paie")]
    sessions = [
        make_session(organization, courses[index % 2],
                     start_date=datetime.date(2025, 1 + index, 6),
                     end_date=datetime.date(2025, 1 + index, 8))
        for index in range(4)
    ]  # fmt: skip
    companies = [
        make_company(organization, name="Marbrerie Camif"),
        make_company(organization, name="Acme Industrie"),
    ]
    names = [
        ("Camille", "Martin", "Camille Martin"),
        ("Marc", "Petit", ""),
        ("Léa", "Chauvin", "Société Chauvin-Marais"),
        ("Mélanie", "Dupuy", ""),
        ("Omar", "Lemaître", "OMAR LEMAITRE"),
        ("Hugo", "Durand", ""),
    ]
    types = [FundingType.CPF, FundingType.OPCO_SKILLS_PLAN, FundingType.FRANCE_TRAVAIL,
             FundingType.EMPLOYER, FundingType.SELF_FUNDED]  # fmt: skip
    statuses = [FundingStatus.PENDING, FundingStatus.APPROVED, FundingStatus.PAID,
                FundingStatus.REJECTED]  # fmt: skip
    for index in range(40):
        first_name, last_name, billing_name = names[index % len(names)]
        learner = make_learner(organization, first_name=first_name, last_name=last_name)
        enrollment = make_enrollment(sessions[index % 4], learner)
        funding_type = types[index % 5]
        status = statuses[(index // 3) % 4]
        fields: dict = {}
        if funding_type in (FundingType.OPCO_SKILLS_PLAN, FundingType.EMPLOYER):
            fields["carrier"] = companies[index % 2]
            fields["funder_reference"] = f"OPCO-2025-{index:05d}" if index % 3 else ""
        else:
            fields["carrier"] = make_individual(learner, billing_name=billing_name)
            if funding_type == FundingType.FRANCE_TRAVAIL:
                fields["funder_reference"] = f"AIF-25-{index:07d}"
        if funding_type == FundingType.CPF:
            fields["cpf_case_number"] = f"{12345000000 + index * 7919:011d}"
        if status == FundingStatus.PAID:
            fields["remittance_reference"] = f"VIR-MAR-{index % 2}"
        make_allocation(
            enrollment,
            funding_type=funding_type,
            status=status,
            amount=Decimal("90.00") + Decimal(index * 41) / 100,
            **fields,
        )
    foreign = make_learner(other_organization, first_name="Camille", last_name="Martin")
    make_allocation(make_enrollment(make_session(other_organization), foreign))
    return {"sessions": sessions, "courses": courses}


QUERIES = [
    "mar", "MAR", "camille", "camille mar", "mar camille", "tin mar", "chauvin", "marais",
    "camif", "acme mar", "société", "lemaître", "é", "a", "ma", "m ar", "ma rc", "zzz",
    "mar zzz", "12345", "123 45", "7919", "aif-25", "opco 2025", "vir-mar", "vir", "00015",
    "  mar  ", "ma.r", "martin-petit",
]  # fmt: skip
FILTERS = [
    {},
    {"status": FundingStatus.APPROVED},
    {"funding_type": FundingType.CPF, "status": FundingStatus.PAID},
    {"carrier_kind": "company"},
    {"period_from": datetime.date(2025, 3, 1)},
]


@pytest.mark.parametrize("few_found", [0, 10**6])
def test_the_page_finds_what_the_or_across_joins_finds(organization, varied, monkeypatch,
                                                       few_found):  # fmt: skip
    """Rows in order, count and totals identical to the search it replaces; with the rows read
    both ways (few found: sorted; many: the sessions walked)."""
    monkeypatch.setattr(search, "FEW_FOUND", few_found)
    compared = 0
    for query in QUERIES:
        for extra in [*FILTERS, {"session_id": varied["sessions"][1].pk}]:
            filters = AllocationFilters(query=query, **extra)
            unsearched = filter_allocations(
                organization=organization, filters=replace(filters, query="")
            )
            expected = reference_search(unsearched, query)
            expected_rows = list(
                allocation_list(organization=organization, filters=replace(filters, query=""))
                .filter(pk__in=expected.values("pk"))
                .values_list("pk", flat=True)
            )
            totals, rows = funding_page(organization=organization, filters=filters)
            assert list(rows.values_list("pk", flat=True)) == expected_rows, (query, extra)
            assert totals.count == len(expected_rows), (query, extra)
            assert shown_totals(totals) == shown_totals(allocation_totals(allocations=expected)), (
                query,
                extra,
            )
            compared += bool(expected_rows)
    assert compared > 100  # most combinations find something: the comparison is not vacuous


def test_found_allocations_are_the_searched_ones(organization, varied):
    """`found_allocations` alone (where PostgreSQL looks words up table by table)."""
    allocations = filter_allocations(organization=organization, filters=AllocationFilters())
    for query in QUERIES:
        if not searched_per_table(query):
            continue
        found = found_allocations(allocations=allocations, query=query.strip())
        expected = reference_search(allocations, query)
        assert sorted(found.values_list("pk", flat=True)) == sorted(
            expected.values_list("pk", flat=True)
        ), query


def test_only_postgresql_looks_words_up_table_by_table():
    postgresql = connection.vendor == "postgresql"
    assert searched_per_table("mar") is postgresql
    assert searched_per_table("ma mar") is postgresql
    assert not searched_per_table("ma")  # no trigram: the OR across the joins
    assert not searched_per_table("123 456")  # a case number: the allocation's own fields


@pytest.mark.postgresql_only
def test_a_word_is_looked_up_through_each_tables_trigram_index(organization, varied):
    """The plan: one bitmap per table's index, ORed; no scan of the allocations."""
    # Every organisation's: a few test rows, read through the organisation's index otherwise.
    allocations = FundingAllocation.objects.order_by()
    query = found_allocations(allocations=allocations, query="mar").values("funding_type")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = query.explain()
    for index in [
        "funding_fundingallocation_learner_id",
        "funding_fundingallocation_company_id",
        "funding_fundingallocation_individual_id",
        "funding_fundingallocation_cpf_case_number_trgm",
        "funding_fundingallocation_funder_reference_trgm",
        "funding_fundingallocation_remittance_reference_trgm",
        "learners_learner_last_name_trgm",
        "companies_company_name_trgm",
        "individuals_individual_billing_name_trgm",
    ]:
        assert index in plan, index
    assert "BitmapOr" in plan


def test_the_trigram_indexes_are_postgresqls_only():
    with connection.cursor() as cursor:
        allocation = connection.introspection.get_constraints(cursor, "funding_fundingallocation")
        company = connection.introspection.get_constraints(cursor, "companies_company")
    postgresql = connection.vendor == "postgresql"
    assert ("funding_fundingallocation_funder_reference_trgm" in allocation) == postgresql
    assert ("companies_company_name_trgm" in company) == postgresql


@pytest.mark.parametrize("params", [{"q": "mar"}, {"q": "camille ma"}, {"q": "123 45"}])
@pytest.mark.parametrize("few_found", [0, 10**6])
def test_a_search_keeps_the_pages_query_count(admin_client, varied, monkeypatch,
                                              django_assert_max_num_queries, params,
                                              few_found):  # fmt: skip
    # As without a search (test_list_views.test_query_count_is_fixed): the totals, the rows.
    monkeypatch.setattr(search, "FEW_FOUND", few_found)
    with django_assert_max_num_queries(6):
        response = admin_client.get(reverse("funding:list"), params)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == response.context["totals"].count > 0
