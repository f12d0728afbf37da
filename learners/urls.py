from __future__ import annotations

from django.urls import path

from learners import views

app_name = "learners"

urlpatterns = [
    path("", views.learner_list, name="list"),
    path("new/", views.learner_create, name="create"),
    path("<int:pk>/", views.learner_detail, name="detail"),
    path("<int:pk>/edit/", views.learner_edit, name="edit"),
]
