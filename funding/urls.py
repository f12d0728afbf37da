from __future__ import annotations

from django.urls import path

from certeef.placeholder import coming_soon

app_name = "funding"

urlpatterns = [
    path("", coming_soon, {"title": "Funding"}, name="list"),
]
