"""What every list page shares: the search query from the URL, how it matches, pagination, and
the page or its results (for the search box) as the answer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q
from django.shortcuts import render

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse

    from certeef.http import CerteefRequest

PAGE_SIZE = 25

# What pg_trgm can look up: three letters or digits in a row (certeef/search_indexes.py).
_TRIGRAM = re.compile(r"[^\W_]{3}")


def search_query(request: HttpRequest, name: str = "q") -> str:
    return request.GET.get(name, "").strip()[:100]


def words_matching(query: str, *fields: str) -> Q:
    """The one way a list searches: every word of the query must appear (case ignored) in one of
    the fields, so "chevalier mél" finds Mélanie Chevalier. An empty query matches everything."""
    condition = Q()
    for word in query.split():
        in_any_field = Q()
        for field in fields:
            in_any_field |= Q(**{f"{field}__icontains": word})
        condition &= in_any_field
    return condition


def has_trigram(word: str) -> bool:
    """Whether a trigram index can look `word` up: three letters or digits in a row."""
    return bool(_TRIGRAM.search(word))


def counted_per_table(queryset: QuerySet, query: str, *fields: str) -> QuerySet:
    """The rows of `queryset` that `words_matching` finds, in a form to count them that
    PostgreSQL's trigram indexes (certeef/search_indexes.py) can serve when the fields lie in
    more than one table (an individual's billing name, its learner's name): an OR across a join
    can use no index, so counting a search read all the learners. Here the first word is looked
    up table by table (an OR within one table: one index read per field), the other words
    checked on the rows found, and the rows of each table united. That only pays where the
    indexes serve, on PostgreSQL and for a word of three letters or more (a trigram); otherwise
    the plain form: a one-letter word matches most rows, and uniting them costs more than
    reading them (1.6 s instead of 0.4 s at 400 000 learners)."""
    words = sorted(query.split(), key=len, reverse=True)  # the longest: likely the fewest rows
    if connection.vendor != "postgresql" or not words or not has_trigram(words[0]):
        return queryset.filter(words_matching(query, *fields)).values("pk")
    tables: dict[str, list[str]] = {}
    for field in fields:
        tables.setdefault(field.rpartition("__")[0], []).append(field)
    others = words_matching(" ".join(words[1:]), *fields)
    first, *rest = (
        queryset.filter(words_matching(words[0], *in_table)).filter(others).order_by().values("pk")
        for in_table in tables.values()
    )
    return first.union(*rest).order_by()  # unordered: it is counted


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int = PAGE_SIZE,
    *,
    count: int | None = None,
) -> Page:
    """The requested page (an out-of-range or malformed number gives the nearest valid page).

    `count`: the number of rows of `queryset`, when already counted, e.g. in a cheaper form
    (without a join that only helps the database read a page in order)."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: given here.
    return paginator.get_page(request.GET.get("page"))


def query_string_without(request: HttpRequest, *names: str) -> str:
    """The current query string less some parameters (e.g. to build a "remove filter" link)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def query_string_without_page(request: HttpRequest) -> str:
    """The current filters, to build page links that keep them."""
    return query_string_without(request, "page")


def list_page(
    request: CerteefRequest, template: str, page: Page, *, query: str, **context: object
) -> HttpResponse:
    """A list page — or, for its search box (htmx), only its results: the template's `results`
    partial. Its page links keep the filters (`base_query`)."""
    context = {
        "page": page,
        "query": query,
        "base_query": query_string_without_page(request),
        **context,
    }
    return render(request, f"{template}#results" if request.htmx else template, context)
