"""Logging in: the address django-axes counts failures from, and what a user sees when it has
locked their username out.

django-axes counts failed log-ins per (username, address) in the database and, past the limit,
refuses the next attempts for the cool-off period (settings.AXES_*). This is its lockout
response (settings.AXES_LOCKOUT_CALLABLE), for the application's log-in and the admin's alike:
the log-in page again, with a message saying why and for how long, and HTTP 429.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

TOO_MANY_REQUESTS = 429


def client_address(request: HttpRequest) -> str | None:
    """The client's address (settings.AXES_CLIENT_IP_CALLABLE).

    Behind N trusted proxies (DJANGO_TRUSTED_PROXY_COUNT), each appending to X-Forwarded-For the
    address it received the request from, the client is the N-th address from the right: those
    further left were sent by the client itself and could be forged to dodge the lockout.
    """
    remote_address = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return remote_address
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < proxies:
        # Not through the expected proxies: the connection's own address is all we know.
        return remote_address
    return forwarded[-proxies]


def lockout_message(request: HttpRequest | None = None) -> str:
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    return ngettext(
        "Too many failed log-in attempts: this username is locked for %(minutes)d minute. "
        "Try again later, or ask an administrator to unlock it.",
        "Too many failed log-in attempts: this username is locked for %(minutes)d minutes. "
        "Try again later, or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked_out_message": lockout_message(request),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=TOO_MANY_REQUESTS)
