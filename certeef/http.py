"""The requests Certeef's views receive, typed: what the middleware and the access layer add to
Django's `HttpRequest`. A view behind `@member_required` takes an `OrganizationRequest`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from certeef.middleware import HtmxDetails
    from certeef.models import Membership, Organization


class CerteefRequest(HttpRequest):
    """Any request once the middleware ran: `htmx` (certeef.middleware), and the user's
    memberships looked up once and kept for the request (certeef.tenancy)."""

    htmx: HtmxDetails
    _certeef_membership: Membership | None
    _certeef_memberships: list[Membership]


class OrganizationRequest(CerteefRequest):
    """A request `@member_required` let through (certeef.access): a logged-in user acting in one
    of their organisations."""

    user: User
    membership: Membership
    organization: Organization
