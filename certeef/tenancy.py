"""Which organisation a request acts in.

The current organisation is kept in the session (a user may belong to several). It is resolved to
the user's Membership once per request and cached on the request, so that the view, its access
check and the templates share one query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from certeef.models import Membership

if TYPE_CHECKING:
    from django.http import HttpRequest

SESSION_KEY = "current_organization_id"
_NOT_LOOKED_UP = object()


def _lookup_membership(request: HttpRequest) -> Membership | None:
    user = request.user
    if not user.is_authenticated:
        return None
    # All of the user's memberships (a handful) in one query: the organisation switcher of the
    # layout lists the same ones.
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    request._certeef_memberships = memberships
    chosen_id = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.organization_id == chosen_id:
            return membership
    # No choice yet, or a stale one (membership removed): fall back to the first organisation.
    return memberships[0] if memberships else None


def current_membership(request: HttpRequest) -> Membership | None:
    """The user's membership in the organisation they act in now, or None."""
    cached = getattr(request, "_certeef_membership", _NOT_LOOKED_UP)
    if cached is _NOT_LOOKED_UP:
        cached = _lookup_membership(request)
        request._certeef_membership = cached
    return cached


def choose_organization(request: HttpRequest, membership: Membership) -> None:
    request.session[SESSION_KEY] = membership.organization_id
    request._certeef_membership = membership


def organization_context(request: HttpRequest) -> dict[str, object]:
    """Template context: the current membership (organisation and role) for the layout, and the
    user's memberships for the organisation switcher (queried only if the layout shows it)."""

    def user_memberships() -> list[Membership]:
        current_membership(request)  # reads them all
        return getattr(request, "_certeef_memberships", [])

    return {"current_membership": current_membership(request), "user_memberships": user_memberships}
