from __future__ import annotations

from django.urls import path

from certeef.placeholder import coming_soon

app_name = "individuals"

urlpatterns = [
    path("", coming_soon, {"title": "Individuals"}, name="list"),
]
