from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CerteefConfig(AppConfig):
    name = "certeef"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        # Connects the login signal that reads the user's language (the Django way for signals).
        from certeef import language  # noqa: F401
