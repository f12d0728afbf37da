from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo and benchmark data (`manage.py seed_demo`), apart from the product's own code: it
    may use every app, and no app uses it."""

    name = "demo"
    verbose_name = _("Demo data")
