from __future__ import annotations

from django.urls import path

from certeef.placeholder import coming_soon

app_name = "training"

urlpatterns = [
    path("sessions/", coming_soon, {"title": "Sessions"}, name="session_list"),
    path("courses/", coming_soon, {"title": "Courses"}, name="course_list"),
    path("sessions/<int:pk>/", coming_soon, {"title": "Session"}, name="session_detail"),
]
