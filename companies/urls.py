from __future__ import annotations

from django.urls import path

from companies import views

app_name = "companies"

urlpatterns = [
    path("", views.company_list, name="list"),
    path("new/", views.company_create, name="create"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/edit/", views.company_edit, name="edit"),
    path("<int:pk>/funding/", views.company_funding, name="funding"),
    path("<int:pk>/funding/add/", views.company_funding_add, name="funding_add"),
    path("<int:pk>/funding/learners/", views.company_funding_learners, name="funding_learners"),
]
