from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Registers the deployment checks (`manage.py check --deploy`).
from certeef import checks  # noqa: F401


class CerteefConfig(AppConfig):
    name = "certeef"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        # Connects the login signal that reads the user's language (the Django way for signals).
        from certeef import language  # noqa: F401
