from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from certeef.access import get_for_organization, member_required
from certeef.http import OrganizationRequest
from certeef.lists import list_page, paginate, search_query
from companies.forms import CompanyForm
from companies.models import Company
from companies.services import company_save


@member_required(admin=True)
def company_list(request: OrganizationRequest) -> HttpResponse:
    query = search_query(request)
    companies = (
        Company.objects.filter(organization=request.organization)
        .search(query)
        .annotate(employee_count=Count("employees"))
        # Meta.ordering does not apply to aggregated queries: order explicitly.
        .order_by("name", "pk")
    )
    return list_page(request, "companies/list.html", paginate(request, companies), query=query)


@member_required(admin=True)
def company_detail(request: OrganizationRequest, pk: int) -> HttpResponse:
    company = get_for_organization(request, Company, pk)
    employees = company.employees.order_by("last_name", "first_name", "pk")
    return render(request, "companies/detail.html", {"company": company, "employees": employees})


@member_required(admin=True)
def company_create(request: OrganizationRequest) -> HttpResponse:
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = form.save(commit=False)
        company.organization = request.organization
        company_save(company=company)
        messages.success(request, _("Company %(name)s created.") % {"name": company})
        return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/form.html", {"form": form})


@member_required(admin=True)
def company_edit(request: OrganizationRequest, pk: int) -> HttpResponse:
    company = get_for_organization(request, Company, pk)
    form = CompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        company_save(company=form.save(commit=False))
        messages.success(request, _("Company %(name)s saved.") % {"name": company})
        return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/form.html", {"form": form, "company": company})
