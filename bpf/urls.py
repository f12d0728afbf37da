from __future__ import annotations

from django.urls import path

from bpf import views

app_name = "bpf"

urlpatterns = [
    path("", views.report, name="report"),
    path("<int:year>/drill/<str:key>/", views.drill, name="drill"),
    path("<int:year>/inputs/", views.save_inputs, name="inputs"),
    path("<int:year>/file/", views.mark_filed, name="file"),
    path("<int:year>/export.<str:file_format>", views.export_file, name="export"),
    path("<int:year>/detail.xlsx", views.export_detail, name="detail"),
]
