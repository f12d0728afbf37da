from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CerteefConfig(AppConfig):
    name = "certeef"
    verbose_name = _("Organisations")
