from __future__ import annotations

from django.urls import path

from dashboard import views

# No namespace: the home page is "dashboard" (LOGIN_REDIRECT_URL and every "home" link).
urlpatterns = [path("", views.dashboard, name="dashboard")]
