from __future__ import annotations

from django.urls import path

from attendance import document_views, grid_views, views

app_name = "attendance"

urlpatterns = [
    path("sessions/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("sessions/<int:pk>/schedule/generate/", views.schedule_generate, name="schedule_generate"),
    path("sessions/<int:pk>/slots/new/", views.slot_create, name="slot_create"),
    path("slots/<int:pk>/edit/", views.slot_edit, name="slot_edit"),
    path("slots/<int:pk>/delete/", views.slot_delete, name="slot_delete"),
    path("sessions/<int:pk>/trainers/", views.trainers, name="trainers"),
    path("sessions/<int:pk>/", grid_views.grid, name="grid"),
    path("sessions/<int:pk>/drop-out/", grid_views.drop_out, name="drop_out"),
    path(
        "sessions/<int:pk>/sign-in-sheet.pdf",
        document_views.sign_in_sheet_view,
        name="sign_in_sheet",
    ),
    path(
        "sessions/<int:pk>/certificates.pdf", document_views.certificates_view, name="certificates"
    ),
    path(
        "enrollments/<int:pk>/certificate.pdf",
        document_views.certificate_view,
        name="certificate",
    ),
]
