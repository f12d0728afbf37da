"""Every page funding serves. Mounted at the site's root (certeef/urls.py) because one of them
lives at another app's address: a company's Funding tab, /companies/<pk>/funding/ (companies sit
below funding; see funding/carrier_views.py)."""

from __future__ import annotations

from django.urls import path

from funding import carrier_views, list_views, row_views, views

app_name = "funding"

urlpatterns = [
    path("funding/", list_views.funding_list, name="list"),
    path("funding/export.xlsx", list_views.export_xlsx, name="export_xlsx"),
    path("funding/export.csv", list_views.export_csv, name="export_csv"),
    path(
        "funding/export-by-funder.xlsx", list_views.export_by_funder_xlsx, name="export_by_funder"
    ),
    path("funding/bulk/", list_views.funding_bulk, name="bulk"),
    # Moves made from a row of a list (the Funding page, the dashboard's pending list).
    path("funding/allocations/<int:pk>/row/", row_views.allocation_row, name="allocation_row"),
    path(
        "funding/allocations/<int:pk>/row/<str:to_status>/",
        row_views.allocation_row_move,
        name="allocation_row_move",
    ),
    # Actions on one allocation, whoever carries it (individuals' and companies' Funding tabs).
    path("funding/allocations/<int:pk>/edit/", views.allocation_edit, name="allocation_edit"),
    path(
        "funding/allocations/<int:pk>/status/<str:to_status>/",
        views.allocation_status,
        name="allocation_status",
    ),
    path("funding/allocations/<int:pk>/delete/", views.allocation_delete, name="allocation_delete"),
    path(
        "funding/allocations/<int:pk>/history/",
        views.allocation_history,
        name="allocation_history",
    ),
    # A company's Funding tab (an individual's is in individuals/urls.py).
    path("companies/<int:pk>/funding/", carrier_views.company_funding, name="company_funding"),
    path(
        "companies/<int:pk>/funding/add/",
        carrier_views.company_funding_add,
        name="company_funding_add",
    ),
    path(
        "companies/<int:pk>/funding/learners/",
        carrier_views.company_funding_learners,
        name="company_funding_learners",
    ),
]
