"""The site's addresses: each app's own, included by name (the base app imports none of them)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from certeef import language, views

urlpatterns = [
    path("", include("dashboard.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("language/", language.choose_language, name="set_language"),
    path("no-organisation/", views.no_organization, name="no_organization"),
    path("switch-organisation/", views.switch_organization, name="switch_organization"),
    path("settings/", views.organization_settings, name="organization_settings"),
    path("learners/", include("learners.urls")),
    path("companies/", include("companies.urls")),
    path("training/", include("training.urls")),
    path("attendance/", include("attendance.urls")),
    path("individuals/", include("individuals.urls")),
    # /funding/… and each company's Funding tab, /companies/<pk>/funding/ (see funding/urls.py).
    path("", include("funding.urls")),
    path("bpf/", include("bpf.urls")),
    path("settings/import/", include("imports.urls")),
    path("admin/", admin.site.urls),
]
