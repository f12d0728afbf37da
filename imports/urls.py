from __future__ import annotations

from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.start, name="start"),
    path("<uuid:pk>/columns/", views.map_columns, name="map"),
    path("<uuid:pk>/preview/", views.preview, name="preview"),
    path("<uuid:pk>/confirm/", views.confirm, name="confirm"),
    path("<uuid:pk>/done/", views.done, name="done"),
]
