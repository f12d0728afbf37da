from __future__ import annotations

from django.apps import AppConfig


class BpfConfig(AppConfig):
    name = "bpf"
