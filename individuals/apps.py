from __future__ import annotations

from django.apps import AppConfig


class IndividualsConfig(AppConfig):
    name = "individuals"
