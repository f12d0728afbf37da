"""Settings → Import: upload → map → preview → confirm (administrators only).

Nothing is written before the confirmation: the preview runs the import and rolls it back. The
file is kept in the database between the steps, read only through the organisation; the
confirmation claims the upload under a row lock, so a double submission imports once.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certeef.access import get_for_organization, member_required
from certeef.http import OrganizationRequest
from imports.columns import auto_map, normalize
from imports.engine import Result, run_import
from imports.files import FileError, Table, read_table
from imports.forms import MappingForm, UploadForm
from imports.models import ImportMapping, ImportUpload
from imports.registry import KINDS
from imports.summary import counts, summary_line

if TYPE_CHECKING:
    from certeef.models import Organization

# An upload not imported within this time is deleted (the next upload cleans up).
KEEP_UPLOADS = datetime.timedelta(days=1)
SAMPLE_ROWS = 3


@member_required(admin=True)
def start(request: OrganizationRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and form.table is not None:
        ImportUpload.objects.filter(
            organization=request.organization, created_at__lt=timezone.now() - KEEP_UPLOADS
        ).delete()
        upload = ImportUpload.objects.create(
            organization=request.organization,
            uploaded_by=request.user,
            kind=form.cleaned_data["kind"],
            filename=form.cleaned_data["file"].name[:255],
            sheet=form.table.sheet if form.cleaned_data.get("sheet") else "",
            data=form.data_bytes,
        )
        return redirect("imports:map", pk=upload.pk)
    return render(request, "imports/start.html", {"form": form, "kinds": KINDS})


def _open_upload(
    request: OrganizationRequest, pk: uuid.UUID
) -> tuple[ImportUpload, Table] | HttpResponse:
    """The upload of a step before confirming, with its table read; else where to go instead:
    the result once it is confirmed, the start again (with the reason) if its file cannot be
    read."""
    upload = get_for_organization(request, ImportUpload, pk)
    if upload.confirmed_at is not None:
        return redirect("imports:done", pk=upload.pk)
    try:
        table = read_table(bytes(upload.data), upload.filename, upload.sheet or None)
    except FileError as error:
        messages.error(request, error.message)
        return redirect("imports:start")
    return upload, table


def _initial_mapping(organization: Organization, kind: str, table: Table) -> dict[str, int]:
    importer = KINDS[kind]
    mapping = auto_map(importer.column_list(), table.headers)
    remembered = ImportMapping.objects.filter(organization=organization, kind=kind).first()
    if remembered is not None:
        by_header = {normalize(header): index for index, header in enumerate(table.headers)}
        for key, header in remembered.mapping.items():
            if header in by_header:
                mapping = {k: v for k, v in mapping.items() if v != by_header[header]}
                mapping[key] = by_header[header]
    return mapping


@member_required(admin=True)
def map_columns(request: OrganizationRequest, pk: uuid.UUID) -> HttpResponse:
    opened = _open_upload(request, pk)
    if isinstance(opened, HttpResponse):
        return opened
    upload, table = opened
    importer = KINDS[upload.kind]
    initial = upload.mapping or _initial_mapping(request.organization, upload.kind, table)
    form = MappingForm(
        request.POST or None,
        columns=importer.column_list(),
        headers=table.headers,
        initial_mapping=initial,
    )
    if request.method == "POST" and form.is_valid():
        upload.mapping = form.mapping()
        upload.save(update_fields=["mapping"])
        ImportMapping.objects.update_or_create(
            organization=request.organization,
            kind=upload.kind,
            defaults={"mapping": form.remembered()},
        )
        return redirect("imports:preview", pk=upload.pk)
    return render(
        request,
        "imports/map.html",
        {
            "upload": upload,
            "table": table,
            "form": form,
            "kind_label": importer.label,
            "samples": [row.cells for row in table.rows[:SAMPLE_ROWS]],
        },
    )


@member_required(admin=True)
def preview(request: OrganizationRequest, pk: uuid.UUID) -> HttpResponse:
    opened = _open_upload(request, pk)
    if isinstance(opened, HttpResponse):
        return opened
    upload, table = opened
    if not upload.mapping:
        return redirect("imports:map", pk=upload.pk)
    result = run_import(
        organization=request.organization,
        kind=upload.kind,
        table=table,
        mapping=upload.mapping,
        save=False,
        user=request.user,
    )
    return render(
        request,
        "imports/preview.html",
        {
            "upload": upload,
            "table": table,
            "result": result,
            "counts": counts(result),
            "kind_label": KINDS[upload.kind].label,
        },
    )


@member_required(admin=True)
@require_POST
def confirm(request: OrganizationRequest, pk: uuid.UUID) -> HttpResponse:
    get_for_organization(request, ImportUpload.objects.only("pk", "organization"), pk)
    with transaction.atomic():
        # The claim: a second submission waits here, then finds the upload imported.
        upload = ImportUpload.objects.select_for_update().get(
            pk=pk, organization=request.organization
        )
        if upload.confirmed_at is not None:
            messages.info(request, _("This file was already imported."))
            return redirect("imports:done", pk=upload.pk)
        try:
            table = read_table(bytes(upload.data), upload.filename, upload.sheet or None)
        except FileError as error:
            messages.error(request, error.message)
            return redirect("imports:start")
        result: Result = run_import(
            organization=request.organization,
            kind=upload.kind,
            table=table,
            mapping=upload.mapping,
            save=True,
            user=request.user,
        )
        if not result.saved:
            messages.error(request, summary_line(result, dry_run=False))
            return redirect("imports:preview", pk=upload.pk)
        upload.confirmed_at = timezone.now()
        upload.result = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        upload.data = b""
        upload.save(update_fields=["confirmed_at", "result", "data"])
    messages.success(request, summary_line(result, dry_run=False))
    return redirect("imports:done", pk=upload.pk)


@member_required(admin=True)
def done(request: OrganizationRequest, pk: uuid.UUID) -> HttpResponse:
    upload = get_for_organization(request, ImportUpload.objects.defer("data"), pk)
    if upload.confirmed_at is None:
        return redirect("imports:preview", pk=upload.pk)
    result = Result(**upload.result)
    return render(
        request,
        "imports/done.html",
        {"upload": upload, "counts": counts(result), "kind_label": KINDS[upload.kind].label},
    )
