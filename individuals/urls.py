from __future__ import annotations

from django.urls import path

from individuals import views

app_name = "individuals"

urlpatterns = [
    path("", views.individual_list, name="list"),
    path("new/", views.individual_create, name="create"),
    path("new/learners/", views.learner_suggestions, name="learner_suggestions"),
    path("<int:pk>/", views.individual_detail, name="detail"),
    path("<int:pk>/funding/", views.individual_funding, name="funding"),
    path("<int:pk>/funding/add/", views.individual_funding_add, name="funding_add"),
    path("<int:pk>/edit/", views.individual_edit, name="edit"),
    path("<int:pk>/archive/", views.individual_archive, name="archive"),
    path("<int:pk>/unarchive/", views.individual_unarchive, name="unarchive"),
]
