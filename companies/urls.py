from __future__ import annotations

from django.urls import path

from certeef.placeholder import coming_soon

app_name = "companies"

urlpatterns = [
    path("", coming_soon, {"title": "Companies"}, name="list"),
    path("<int:pk>/", coming_soon, {"title": "Company"}, name="detail"),
]
