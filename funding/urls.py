from __future__ import annotations

from django.urls import path

from funding import list_views, views

app_name = "funding"

urlpatterns = [
    path("", list_views.funding_list, name="list"),
    path("export.xlsx", list_views.export_xlsx, name="export_xlsx"),
    path("export.csv", list_views.export_csv, name="export_csv"),
    path("export-by-funder.xlsx", list_views.export_by_funder_xlsx, name="export_by_funder"),
    # Actions on one allocation, whoever carries it (individuals' and companies' Funding tabs).
    path("allocations/<int:pk>/edit/", views.allocation_edit, name="allocation_edit"),
    path(
        "allocations/<int:pk>/status/<str:to_status>/",
        views.allocation_status,
        name="allocation_status",
    ),
    path("allocations/<int:pk>/delete/", views.allocation_delete, name="allocation_delete"),
    path("allocations/<int:pk>/history/", views.allocation_history, name="allocation_history"),
]
