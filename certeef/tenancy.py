"""Which organisation a request acts in.

The current organisation is kept in the session (a user may belong to several). It is resolved to
the user's Membership once per request and cached on the request, so that the view, its access
check and the templates share one query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from certeef.models import Membership

if TYPE_CHECKING:
    from certeef.http import CerteefRequest

SESSION_KEY = "current_organization_id"


def _lookup_membership(request: CerteefRequest) -> Membership | None:
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


def current_membership(request: CerteefRequest) -> Membership | None:
    """The user's membership in the organisation they act in now, or None."""
    if not hasattr(request, "_certeef_membership"):
        request._certeef_membership = _lookup_membership(request)
    return request._certeef_membership


def choose_organization(request: CerteefRequest, membership: Membership) -> None:
    request.session[SESSION_KEY] = membership.organization_id
    request._certeef_membership = membership


def organization_context(request: CerteefRequest) -> dict[str, object]:
    """Template context: the current membership (organisation and role) for the layout, and the
    user's memberships for the organisation switcher (queried only if the layout shows it)."""

    def user_memberships() -> list[Membership]:
        current_membership(request)  # reads them all
        return getattr(request, "_certeef_memberships", [])

    return {"current_membership": current_membership(request), "user_memberships": user_memberships}
