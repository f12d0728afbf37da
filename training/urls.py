from __future__ import annotations

from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/enroll/", views.enrollment_create, name="enrollment_create"),
    path(
        "sessions/<int:pk>/enroll/suggestions/",
        views.enrollment_suggestions,
        name="enrollment_suggestions",
    ),
    path("enrollments/<int:pk>/edit/", views.enrollment_edit, name="enrollment_edit"),
    path("enrollments/<int:pk>/delete/", views.enrollment_delete, name="enrollment_delete"),
]
