from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The home page: shortcuts for everyone, and what needs an administrator's attention."""

    name = "dashboard"
    verbose_name = _("Dashboard")
