from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certeef.access import member_required
from certeef.forms import OrganizationSettingsForm
from certeef.history import changes_of
from certeef.http import CerteefRequest, OrganizationRequest
from certeef.models import Membership
from certeef.tenancy import choose_organization, current_membership


@login_required
def no_organization(request: CerteefRequest) -> HttpResponse:
    if current_membership(request) is not None:
        return redirect("dashboard")
    return render(request, "certeef/no_organization.html")


@login_required
@require_POST
def switch_organization(request: CerteefRequest) -> HttpResponse:
    # Only an organisation the user belongs to can be chosen: anything else is a 404.
    membership = get_object_or_404(
        Membership.objects.select_related("organization"),
        user=request.user,
        organization_id=request.POST.get("organization"),
    )
    choose_organization(request, membership)
    messages.success(
        request, _("You are now working in %(name)s.") % {"name": membership.organization}
    )
    return redirect("dashboard")


@member_required(admin=True)
def organization_settings(request: OrganizationRequest) -> HttpResponse:
    form = OrganizationSettingsForm(request.POST or None, instance=request.organization)
    if request.method == "POST" and form.is_valid():
        # The settings fill sections A and B of the BPF: the history keeps what changed, by whom
        # and when (certeef/models.py `track_history`). Sending them unchanged writes nothing.
        if form.has_changed():
            form.save()
        messages.success(request, _("Settings saved."))
        return redirect("organization_settings")
    return render(
        request,
        "certeef/settings.html",
        {"form": form, "history": changes_of(request.organization)},
    )
