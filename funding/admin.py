"""Back-office for allocations. Every write goes through funding.services, as in the interface:
the form validates with `allocation_validate`, saving calls `allocation_create` or
`allocation_update` (compare-and-swap on the version the page was opened with), status moves are
admin actions calling `allocation_set_status` (so each one is recorded in the history), and only a
Pending allocation can be deleted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from certeef.admin import (
    OrganizationScopedAdmin,
    ReadOnlyAdmin,
    SameOrganizationForm,
    staff_user,
)
from certeef.forms import DigitsField
from certeef.numbers import NUMBER_FORMFIELD_OVERRIDES
from certeef.validators import NOTE_MAX_LENGTH
from funding import services, status_changes
from funding.forms import add_service_error
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from training.changes import changing_sessions

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from django.db.models import Model, QuerySet
    from django.forms import ModelForm
    from django.http import HttpRequest
    from django_stubs_ext import StrOrPromise


class AllocationAdminForm(SameOrganizationForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Typed in groups; its length is one of the service's rules, said in its words.
    cpf_case_number = DigitsField(label=_("CPF case number"), required=False)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_(
            "Kept in the allocation's history; required to change a paid allocation's "
            "amount, type or session."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = FundingAllocation
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self) -> dict:
        super().clean()
        cleaned_data = self.cleaned_data
        if self.instance.pk and cleaned_data.get("expected_version") != self.instance.version:
            raise ValidationError(services.STALE_MESSAGE, code="stale")
        if (
            self.instance.pk
            and self.instance.status == FundingStatus.PAID
            and set(self.changed_data) & set(services.PAID_CHANGES_NEED_A_REASON)
            and not cleaned_data.get("reason", "").strip()
        ):
            self.add_error("reason", services.REASON_REQUIRED_MESSAGE)
        return cleaned_data

    # Django's hook (the stubs leave it out: private). The case number's rules are the
    # service's, each with its message, checked below (funding/case_numbers.py): Django's checks
    # of the constraints behind them would say the same thing in other words.
    def _get_validation_exclusions(self) -> set[str]:
        return {*super()._get_validation_exclusions(), "cpf_case_number"}  # type: ignore[misc]

    # Django's hook once the instance is built from the form (the stubs leave it out: private).
    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        try:
            services.allocation_validate(allocation=self.instance)
        except ValidationError as error:
            add_service_error(self, error)


class StatusChangeInline(admin.TabularInline):
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    """The history, read-only: it is written only by `allocation_set_status`."""

    model = FundingStatusChange
    extra = 0
    can_delete = False
    readonly_fields = fields = ("from_status", "to_status", "changed_by", "changed_at", "note")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def _status_action(
    to_status: str, description: StrOrPromise, *, paid_today: bool = False
) -> Callable[[admin.ModelAdmin[Any], HttpRequest, QuerySet[Any]], None]:
    def action(
        modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
    ) -> None:
        moved = 0
        allocations = list(queryset.select_related("learner"))
        # One bulk write: the sessions are locked up front, in id order, and each is refreshed
        # once at the end (training/changes.py); a refused move leaves the others done.
        with (
            transaction.atomic(),
            changing_sessions(allocation.session_id for allocation in allocations),
        ):
            for allocation in allocations:
                try:
                    status_changes.allocation_set_status(
                        allocation=allocation,
                        to_status=to_status,
                        changed_by=staff_user(request),
                        paid_on=timezone.localdate() if paid_today else None,
                        note=str(_("Changed in the admin.")),
                    )
                except ValidationError as error:
                    modeladmin.message_user(
                        request,
                        f"#{allocation.pk} ({allocation.learner}): {error.messages[0]}",
                        messages.ERROR,
                    )
                else:
                    moved += 1
        if moved:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d allocation moved to %(status)s.",
                    "%(count)d allocations moved to %(status)s.",
                    moved,
                )
                % {"count": moved, "status": FundingStatus(to_status).label},
                messages.SUCCESS,
            )

    action.__name__ = f"move_to_{to_status}{'_today' if paid_today else ''}"
    return admin.action(description=description)(action)


@admin.register(FundingAllocation)
class FundingAllocationAdmin(OrganizationScopedAdmin):
    form = AllocationAdminForm
    # The carrier is fixed once the allocation exists.
    fixed_once_created = ("individual", "company")
    list_display = ["pk", "learner", "carrier", "funding_type", "approved_amount", "status"]
    list_display += ["cpf_case_number", "paid_on", "session", "organization"]
    list_display_links = ["pk", "learner"]
    search_fields = [
        "learner__last_name",
        "learner__first_name",
        "cpf_case_number",
        "funder_reference",
        "company__name",
        "individual__billing_name",
    ]
    list_filter = ["status", "funding_type", "organization"]
    list_select_related = ["learner", "individual__learner", "company", "session__course"]
    list_select_related += ["organization"]
    autocomplete_fields = ["organization", "session", "learner", "individual", "company"]
    readonly_fields = ["enrollment", "status", "paid_on", "version", "created_by", "created_at"]
    readonly_fields += ["updated_at"]
    inlines = [StatusChangeInline]
    actions = [
        _status_action(FundingStatus.APPROVED, _("Approve (from Pending) / reverse payment")),
        _status_action(FundingStatus.PAID, _("Mark as paid today"), paid_today=True),
        _status_action(FundingStatus.REJECTED, _("Reject")),
        _status_action(FundingStatus.PENDING, _("Back to pending")),
    ]

    def save_model(
        self, request: HttpRequest, obj: FundingAllocation, form: ModelForm[Any], change: bool
    ) -> None:
        fields = {name: getattr(obj, name) for name in services.EDITABLE_FIELDS}
        if change:
            services.allocation_update(
                allocation=obj,
                expected_version=form.cleaned_data["expected_version"],
                reason=form.cleaned_data.get("reason", ""),
                **fields,
            )
            return
        created = services.allocation_create(
            organization=obj.organization,
            individual=obj.individual,
            company=obj.company,
            created_by=staff_user(request),
            **fields,
        )
        # The admin goes on with `obj` (history entry, redirect): make it the saved row.
        obj.pk = created.pk
        obj.version = created.version
        obj._state.adding = False

    def has_delete_permission(
        self, request: HttpRequest, obj: FundingAllocation | None = None
    ) -> bool:
        if obj is not None and obj.status != FundingStatus.PENDING:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(
        self, objs: Sequence[Any] | QuerySet[Any], request: HttpRequest
    ) -> tuple[list[Any], dict[Any, Any], set[Any], list[Any]]:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The history goes with its allocation (as in `allocation_delete`), although no one may
        # delete history on its own.
        perms_needed.discard(FundingStatusChange._meta.verbose_name)
        return deleted, model_count, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: FundingAllocation) -> None:
        services.allocation_delete(allocation=obj)

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        # The bulk delete would bypass the Pending-only rule: delete allocations one by one.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions


@admin.register(FundingStatusChange)
class FundingStatusChangeAdmin(ReadOnlyAdmin):
    """Read-only: the history is never edited."""

    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    list_display = ["allocation", "from_status", "to_status", "changed_by", "changed_at", "note"]
    list_filter = ["to_status"]
    list_select_related = ["allocation__learner", "changed_by"]
    search_fields = ["allocation__learner__last_name", "allocation__cpf_case_number", "note"]
