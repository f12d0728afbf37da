from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from certeef import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("no-organisation/", views.no_organization, name="no_organization"),
    path("switch-organisation/", views.switch_organization, name="switch_organization"),
    path("settings/", views.organization_settings, name="organization_settings"),
    path("learners/", include("learners.urls")),
    path("companies/", include("companies.urls")),
    path("training/", include("training.urls")),
    path("individuals/", include("individuals.urls")),
    path("funding/", include("funding.urls")),
    path("bpf/", include("bpf.urls")),
    path("admin/", admin.site.urls),
]
