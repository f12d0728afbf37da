"""The one access layer every view goes through.

- `@member_required()` — login required; the user must belong to an organisation (else the
  "no organisation" page); sets `request.membership` and `request.organization`.
- `@member_required(admin=True)` — same, and only administrators may act (403 for trainers).
- `get_for_organization(request, Model_or_queryset, pk)` — the object if it belongs to the
  current organisation, else 404 (never 403: existence is not leaked).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404, redirect

from certeef.tenancy import current_membership

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http.response import HttpResponseBase

    from certeef.http import OrganizationRequest


type View = Callable[..., HttpResponseBase]


def member_required(*, admin: bool = False) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @functools.wraps(view)
        def wrapper(request: OrganizationRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            membership = current_membership(request)
            if membership is None:
                return redirect("no_organization")
            if admin and not membership.is_administrator:
                raise PermissionDenied
            request.membership = membership
            request.organization = membership.organization
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_for_organization[M: Model](
    request: OrganizationRequest, model_or_queryset: type[M] | QuerySet[M], pk: Any
) -> M:
    """The object with this pk in the current organisation, or 404."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, QuerySet)
        else model_or_queryset._default_manager.all()
    )
    return get_object_or_404(queryset, pk=pk, organization=request.organization)
