from __future__ import annotations

from django.urls import path

from funding import list_views

app_name = "funding"

urlpatterns = [
    path("", list_views.funding_list, name="list"),
    path("export.xlsx", list_views.export_xlsx, name="export_xlsx"),
    path("export.csv", list_views.export_csv, name="export_csv"),
    path("export-by-funder.xlsx", list_views.export_by_funder_xlsx, name="export_by_funder"),
]
