from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from certeef.access import get_for_organization, member_required
from certeef.history import changes_of
from certeef.http import OrganizationRequest
from certeef.lists import list_page, paginate, search_query
from learners.forms import LearnerForm
from learners.learner_page import learner_sections
from learners.models import Learner
from learners.services import learner_save


@member_required()
def learner_list(request: OrganizationRequest) -> HttpResponse:
    query = search_query(request)
    learners = (
        Learner.objects.filter(organization=request.organization)
        .select_related("employer")
        .search(query)
    )
    return list_page(request, "learners/list.html", paginate(request, learners), query=query)


@member_required()
def learner_detail(request: OrganizationRequest, pk: int) -> HttpResponse:
    learner = get_for_organization(request, Learner.objects.select_related("employer"), pk)
    enrollments = learner.enrollments.select_related("session__course").order_by(
        "-session__start_date"
    )
    context = {
        "learner": learner,
        "enrollments": enrollments,
        # What the apps above learners add (hours followed, certificates): learners/learner_page.py.
        "sections": learner_sections.rendered(request, request.membership, learner),
    }
    if request.membership.is_administrator:
        context["history"] = changes_of(learner)
    return render(request, "learners/detail.html", context)


@member_required(admin=True)
def learner_create(request: OrganizationRequest) -> HttpResponse:
    form = LearnerForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        learner = form.save(commit=False)
        learner.organization = request.organization
        learner_save(learner=learner)
        messages.success(request, _("Learner %(name)s created.") % {"name": learner})
        return redirect("learners:detail", pk=learner.pk)
    return render(request, "learners/form.html", {"form": form})


@member_required(admin=True)
def learner_edit(request: OrganizationRequest, pk: int) -> HttpResponse:
    learner = get_for_organization(request, Learner, pk)
    form = LearnerForm(request.POST or None, instance=learner, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        learner_save(learner=form.save(commit=False))
        messages.success(request, _("Learner %(name)s saved.") % {"name": learner})
        return redirect("learners:detail", pk=learner.pk)
    return render(request, "learners/form.html", {"form": form, "learner": learner})
