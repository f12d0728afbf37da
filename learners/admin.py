from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin

from certeef.admin import OrganizationScopedAdmin
from learners.models import Learner
from learners.services import learner_save

if TYPE_CHECKING:
    from typing import Any

    from django.forms import ModelForm
    from django.http import HttpRequest


@admin.register(Learner)
class LearnerAdmin(OrganizationScopedAdmin):
    list_display = ["last_name", "first_name", "email", "employer", "professional_status"]
    list_display += ["organization"]
    search_fields = ["last_name", "first_name", "email"]
    list_filter = ["professional_status", "organization"]
    autocomplete_fields = ["organization", "employer"]
    list_select_related = ["organization", "employer"]

    def save_model(
        self, request: HttpRequest, obj: Learner, form: ModelForm[Any], change: bool
    ) -> None:
        learner_save(learner=obj)
