from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certeef.access import get_for_organization, member_required
from certeef.http import OrganizationRequest
from certeef.lists import counted_per_table, list_page, paginate, search_query, words_matching
from certeef.validators import normalize_digits
from funding.carrier_views import allocation_add, allocation_list_context
from funding.carriers import Carrier
from funding.forms import add_service_error
from funding.models import COUNTED_STATUSES, FundingAllocation, FundingStatus
from individuals import services
from individuals.forms import IndividualCreateForm, IndividualForm
from individuals.models import Individual, IndividualQuerySet
from learners.models import Learner, LearnerQuerySet

SUGGESTIONS_SHOWN = 10
FEW_FOUND = 5000  # a search's rows sorted rather than found by walking the names (individual_list)
ARCHIVED = "archived"


SEARCHED_FIELDS = (
    "learner__first_name",
    "learner__last_name",
    "learner__email",
    "billing_name",
    "billing_email",
)


def _search(individuals: IndividualQuerySet, query: str) -> IndividualQuerySet:
    """Every word must match the name or email (the learner's or the billing one), as in every
    list (`words_matching`); a query of digits only may also be a CPF case number, typed in
    groups ("1234 5678 901") and searched as one number, as the Funding page does."""
    digits = normalize_digits(query)
    if not digits.isdigit():
        return individuals.filter(words_matching(query, *SEARCHED_FIELDS))
    # A subquery, not a join: a join on allocations would repeat individuals.
    case_number = Exists(
        FundingAllocation.objects.filter(
            individual=OuterRef("pk"), cpf_case_number__contains=digits
        )
    )
    return individuals.filter(words_matching(digits, *SEARCHED_FIELDS) | case_number)


def _counted(individuals: IndividualQuerySet, query: str) -> QuerySet[Individual]:
    """The rows `_search` finds, in the form that counts them fastest: the learner's fields and
    the billing ones looked up each through their own indexes (`counted_per_table`), where the
    page itself is read by walking the learners' name index (`individual_list`)."""
    if normalize_digits(query).isdigit():
        return _search(individuals, query)
    return counted_per_table(individuals, query, *SEARCHED_FIELDS)


def _attach_funding_summary(individuals: Sequence[Individual]) -> None:
    """For the individuals of one page, in one query: number of allocations, counted approved
    total (Approved and Paid, as in exports and the BPF) and the number in each status.

    Summarising only the page's rows, after pagination, keeps the list's cost independent of
    how many individuals the organisation has."""
    status_counts = {
        f"{status}_count": Count("pk", filter=Q(status=status)) for status in FundingStatus.values
    }
    # Their ids, not the page's queryset: that would re-run the search as a subquery.
    ids = [individual.pk for individual in individuals]
    summaries: dict[int, Mapping[str, Any]] = {
        row["individual_id"]: row
        for row in FundingAllocation.objects.filter(individual_id__in=ids)
        .order_by()
        .values("individual_id")
        .annotate(
            allocation_count=Count("pk"),
            approved_total=Sum("approved_amount", filter=Q(status__in=COUNTED_STATUSES)),
            **status_counts,
        )
    }
    for individual in individuals:
        summary = summaries.get(individual.pk, {})
        individual.allocation_count = summary.get("allocation_count", 0)
        individual.approved_total = summary.get("approved_total") or Decimal("0.00")
        individual.status_summary = [
            (status, label, summary[f"{status}_count"])
            for status, label in FundingStatus.choices
            if summary.get(f"{status}_count")
        ]


@member_required(admin=True)
def individual_list(request: OrganizationRequest) -> HttpResponse:
    query = search_query(request)
    show_archived = request.GET.get("show") == ARCHIVED
    individuals = Individual.objects.filter(organization=request.organization)
    individuals = individuals.archived() if show_archived else individuals.active()
    counted = _counted(individuals, query)
    count = counted.count()
    # Many found: the learner's organisation too (always the individual's), and the database
    # walks the learners' (organisation, name) index in order and stops after a page, instead of
    # joining and sorting every individual (551 → 34 ms at 400 000 learners on PostgreSQL). Ties
    # on the name by learner, which that walk gives (a learner has one individual). Few found:
    # the walk would go through every learner named before the last one found (0.6 s for
    # "chevallier", 2.6 s for "camille mar" at 400 000 learners), so the rows found are sorted.
    few = query and count <= FEW_FOUND
    found = individuals.filter(pk__in=counted) if few else _search(individuals, query)
    in_order = (
        found.filter(learner__organization=request.organization)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "learner_id")
    )
    page = paginate(request, in_order, count=count)
    _attach_funding_summary(page)
    return list_page(
        request, "individuals/list.html", page, query=query, show_archived=show_archived
    )


@member_required(admin=True)
def individual_create(request: OrganizationRequest) -> HttpResponse:
    organization_learners = Learner.objects.filter(organization=request.organization)
    # ?for_session=<id>: "+ Add funding" from a session's page, for a learner without a record.
    for_session = _int_or_none(request.POST.get("for_session") or request.GET.get("for_session"))
    if request.method == "POST":
        form = IndividualCreateForm(request.POST, organization=request.organization)
        if form.is_valid():
            try:
                individual = services.individual_create(
                    organization=request.organization,
                    learner=form.cleaned_data["learner"],
                    billing_name=form.cleaned_data["billing_name"],
                    billing_email=form.cleaned_data["billing_email"],
                    billing_address=form.cleaned_data["billing_address"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Individual %(name)s created.") % {"name": individual})
                if for_session is not None:
                    # Opened from the learner's row of a session: on to its funding form.
                    add_url = reverse("individuals:funding_add", args=[individual.pk])
                    return redirect(f"{add_url}?session={for_session}")
                return redirect("individuals:detail", pk=individual.pk)
        chosen = form.cleaned_data.get("learner")
        suggestions = None
    else:
        # ?learner=<id>: a suggestion was chosen (htmx or a plain link) → pre-fill from it.
        # ?learner_query=…: the search of a browser without JavaScript.
        learner_id = _int_or_none(request.GET.get("learner"))
        chosen = (
            organization_learners.filter(pk=learner_id).first() if learner_id is not None else None
        )
        learner_query = request.GET.get("learner_query", "").strip()[:100]
        initial = (
            IndividualCreateForm.initial_for(chosen) if chosen else {"learner_query": learner_query}
        )
        form = IndividualCreateForm(initial=initial, organization=request.organization)
        suggestions = _suggestions(organization_learners, learner_query) if learner_query else None
    context = {
        "form": form,
        "chosen": chosen,
        "suggestions": suggestions,
        "for_session": for_session,
    }
    template = (
        "individuals/create.html#individual_form" if request.htmx else "individuals/create.html"
    )
    return render(request, template, context)


@member_required(admin=True)
def learner_suggestions(request: OrganizationRequest) -> HttpResponse:
    """The learners matching what is typed in the Learner field (htmx)."""
    learner_query = request.GET.get("learner_query", "").strip()[:100]
    learners = Learner.objects.filter(organization=request.organization)
    context = {
        "suggestions": _suggestions(learners, learner_query) if learner_query else None,
        "clear_choice": True,
    }
    return render(request, "individuals/learner_suggestions.html", context)


def _suggestions(learners: LearnerQuerySet, learner_query: str) -> list[Learner]:
    # With their individual record, if any: such a learner is shown as taken, not offered.
    return list(learners.search(learner_query).select_related("individual")[:SUGGESTIONS_SHOWN])


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _detail(request: OrganizationRequest, pk: int, tab: str) -> HttpResponse:
    individual = get_for_organization(request, Individual.objects.select_related("learner"), pk)
    context: dict[str, object] = {"individual": individual, "tab": tab}
    if tab == "funding":
        context.update(allocation_list_context(Carrier(individual=individual)))
    else:
        _attach_funding_summary([individual])
        context["summary"] = individual
    template = "individuals/detail.html#tab_area" if request.htmx else "individuals/detail.html"
    return render(request, template, context)


@member_required(admin=True)
def individual_detail(request: OrganizationRequest, pk: int) -> HttpResponse:
    return _detail(request, pk, "overview")


@member_required(admin=True)
def individual_funding(request: OrganizationRequest, pk: int) -> HttpResponse:
    return _detail(request, pk, "funding")


@member_required(admin=True)
def individual_funding_add(request: OrganizationRequest, pk: int) -> HttpResponse:
    individual = get_for_organization(request, Individual.objects.select_related("learner"), pk)
    return allocation_add(request, Carrier(individual=individual))


@member_required(admin=True)
def individual_edit(request: OrganizationRequest, pk: int) -> HttpResponse:
    individual = get_for_organization(request, Individual.objects.select_related("learner"), pk)
    form = IndividualForm(request.POST or None, instance=individual)
    if request.method == "POST" and form.is_valid():
        try:
            services.individual_update(individual=individual, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Individual %(name)s saved.") % {"name": individual})
            return redirect("individuals:detail", pk=individual.pk)
    return render(request, "individuals/edit.html", {"form": form, "individual": individual})


@member_required(admin=True)
@require_POST
def individual_archive(request: OrganizationRequest, pk: int) -> HttpResponse:
    individual = get_for_organization(request, Individual.objects.select_related("learner"), pk)
    services.individual_archive(individual=individual)
    messages.success(
        request,
        _("%(name)s archived: no longer in the Active list; their funding is kept.")
        % {"name": individual},
    )
    return redirect("individuals:detail", pk=individual.pk)


@member_required(admin=True)
@require_POST
def individual_unarchive(request: OrganizationRequest, pk: int) -> HttpResponse:
    individual = get_for_organization(request, Individual.objects.select_related("learner"), pk)
    services.individual_unarchive(individual=individual)
    messages.success(request, _("%(name)s is active again.") % {"name": individual})
    return redirect("individuals:detail", pk=individual.pk)
