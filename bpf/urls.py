from __future__ import annotations

from django.urls import path

from certeef.placeholder import coming_soon

app_name = "bpf"

urlpatterns = [
    path("", coming_soon, {"title": "BPF"}, name="report"),
    path("<int:year>/drill/<str:key>/", coming_soon, {"title": "BPF"}, name="drill"),
]
