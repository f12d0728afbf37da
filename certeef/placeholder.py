"""A page for modules whose issue has not landed yet (kept behind the same access rules)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from certeef.access import member_required


@member_required(admin=True)
def coming_soon(request: HttpRequest, title: str = "") -> HttpResponse:
    return render(request, "certeef/coming_soon.html", {"title": title})
