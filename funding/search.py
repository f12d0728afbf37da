"""The Funding page's text search, in the form PostgreSQL's trigram indexes serve.

`search_allocations` (funding/selectors.py) asks for every word in one of seven fields of four
tables (the learner's names, the company's name, the individual's billing name, the allocation's
case number and references): an OR across joins, which no index serves, so the page's totals
joined and tested every one of the organisation's allocations (2.5 s for "mar" at 1 000 000
allocations). Here one word is looked up table by table through each field's trigram index
(certeef/search_indexes.py): the learners, companies and individuals it names, each as an array
of ids that the allocations' foreign-key indexes look up, and the allocation's own fields; the
database ORs the allocations found into one bitmap (an allocation found twice counts once). The
other words are then checked on the rows found, as before. Same rows as `search_allocations`:
tests/funding/test_search.py compares them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import F, Lookup, Q

from certeef.lists import has_trigram, words_matching
from certeef.validators import normalize_digits
from companies.models import Company
from funding.allocation_totals import summary_totals
from funding.models import FundingAllocation
from funding.selectors import (
    SEARCHED_FIELDS,
    AllocationFilters,
    AllocationTotals,
    allocation_list,
    allocation_totals,
    filter_allocations,
    in_page_order,
)
from learners.models import Learner

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import QuerySet
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

    from certeef.models import Organization
    from funding.models import AllocationQuerySet

# Up to this many found, the page's rows are the ones found, sorted; more, and a page of them is
# met soon enough by walking the sessions from the latest (`allocation_list`).
FEW_FOUND = 5000

OWN_FIELDS = ("cpf_case_number", "funder_reference", "remittance_reference")


class AmongIds(Lookup):
    """`column = ANY(ARRAY(subquery))`: the subquery runs once, and the column's index looks its
    ids up (as a bitmap that can be ORed with others). `column IN (subquery)` inside an OR is a
    hashed subplan tested on every row: a scan of the whole table."""

    lookup_name = "among_ids"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> _AsSqlType:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def _ids(queryset: QuerySet) -> QuerySet:
    return queryset.order_by().values("pk")


def _found_by_word(word: str, *, indexed: bool) -> Q:
    """The allocations in one of whose searched fields `word` appears, table by table: the ids
    each table finds looked up in the allocations' indexes (`indexed`), or, for the rows already
    found by another word, tested against a hash of those ids (`IN`: a hashed subplan, where
    `= ANY` would compare each row with every id: 0.3 s for "camille chauvin")."""
    learners = _ids(Learner.objects.filter(words_matching(word, "first_name", "last_name")))
    companies = _ids(Company.objects.filter(words_matching(word, "name")))
    # The individuals' model through the relation: funding never imports individuals (the app
    # above it).
    individual_model = FundingAllocation._meta.get_field("individual").related_model
    individuals = _ids(
        individual_model._default_manager.filter(words_matching(word, "billing_name"))
    )
    if indexed:
        by_carrier = (
            Q(AmongIds(F("learner_id"), learners))
            | Q(AmongIds(F("company_id"), companies))
            | Q(AmongIds(F("individual_id"), individuals))
        )
    else:
        by_carrier = (
            Q(learner_id__in=learners)
            | Q(company_id__in=companies)
            | Q(individual_id__in=individuals)
        )
    return by_carrier | words_matching(word, *OWN_FIELDS)


def searched_per_table(query: str) -> bool:
    """Whether `found_allocations` looks `query` up table by table: on PostgreSQL, for words
    (not a case number typed in digits) of which one at least has a trigram."""
    return (
        connection.vendor == "postgresql"
        and not normalize_digits(query.strip()).isdigit()
        and any(has_trigram(word) for word in query.split())
    )


def found_allocations(*, allocations: AllocationQuerySet, query: str) -> AllocationQuerySet:
    """`search_allocations(allocations, query)` for a query `searched_per_table` accepts: each
    longest word with a trigram (likely the fewest rows) looked up table by table through the
    indexes, the other words with one tested table by table on the allocations found, those of
    one or two letters (no trigram) checked on them through the joins, as before."""
    words = sorted(query.split(), key=len, reverse=True)  # the longest: likely the fewest rows
    looked_up = [word for word in words if has_trigram(word)]
    found = allocations.filter(_found_by_word(looked_up[0], indexed=True))
    for word in looked_up[1:]:
        found = found.filter(_found_by_word(word, indexed=False))
    short = " ".join(word for word in words if not has_trigram(word))
    if short:
        found = found.filter(words_matching(short, *SEARCHED_FIELDS))
    return found


def funding_page(
    *, organization: Organization, filters: AllocationFilters
) -> tuple[AllocationTotals, QuerySet]:
    """The Funding page's totals (which count its rows) and its rows in order: two queries.

    With a search, the totals add up the allocations found (table by table where the indexes
    serve); the page's rows are then those found, sorted, when they are few, and otherwise read
    by walking the sessions from the latest until a page is full (`allocation_list`): a search
    that finds 13 allocations of 1 000 000 walked them all (7 s), one that finds 85 000 fills a
    page within 500 rows."""
    query = filters.query.strip()
    by_type_and_status = replace(filters, funding_type="", status="", query=query)
    if by_type_and_status == AllocationFilters():
        # Nothing but a type or a status: the organisation's totals by type and status say it.
        totals = summary_totals(
            organization_id=organization.pk,
            funding_type=filters.funding_type,
            status=filters.status,
        )
        return totals, allocation_list(organization=organization, filters=filters)
    if query and searched_per_table(query):
        unsearched = filter_allocations(
            organization=organization, filters=replace(filters, query="")
        )
        found = found_allocations(allocations=unsearched, query=query)
    else:
        found = filter_allocations(organization=organization, filters=filters)
    totals = allocation_totals(allocations=found)
    if query and totals.count <= FEW_FOUND:
        return totals, in_page_order(allocations=found)
    return totals, allocation_list(organization=organization, filters=filters)
