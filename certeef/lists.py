"""What every list page shares: the search query from the URL, how it matches, pagination, and
the page or its results (for the search box) as the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.shortcuts import render

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.http import HttpRequest, HttpResponse

    from certeef.http import CerteefRequest

PAGE_SIZE = 25


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


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int = PAGE_SIZE,
    *,
    counted: QuerySet | None = None,
) -> Page:
    """The requested page (an out-of-range or malformed number gives the nearest valid page).

    `counted`: the same rows as `queryset`, cheaper to count (e.g. without a join that only
    helps the database read a page in order)."""
    paginator = Paginator(queryset, per_page)
    if counted is not None:
        paginator.count = counted.count()  # Paginator.count is a cached property: given here.
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
