"""The attendance grid: learners × slots, one form control per cell.

With JavaScript each cell is saved as soon as it changes (htmx posts that cell alone and swaps it
back with the learner's new total); without, the grid is one form posted whole with its Save
button. Both are the same POST to the grid's address: the cells named in it are recorded
(`s-<enrollment>-<slot>` the status, `m-<enrollment>-<slot>` the minutes when partly present).
"All present" for a slot is a button of that form too (`all_present=<slot>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape as html_escape
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import reswap

from attendance import recording
from attendance.access import get_session_to_record
from attendance.drop_out import enrollment_drop_out
from attendance.forms import DropOutForm, parse_minutes
from attendance.models import AttendanceStatus
from attendance.selectors import (
    Cell,
    attendance_grid,
    attended_minutes,
    grid_cells,
    grid_enrollments,
)
from certeef.access import get_for_organization, member_required
from certeef.http import OrganizationRequest
from training.models import Enrollment, Session

if TYPE_CHECKING:
    from typing import Any

CELL = re.compile(r"^s-(\d+)-(\d+)$")


def cell_html(cell: Cell, options: dict[str, SafeString], url: str, *, oob: bool = False) -> str:
    """One cell of the grid: its menu, the minutes field (shown by CSS while "partly present" is
    chosen), its messages. Built here rather than in the template: the grid has 1 800 cells, and
    Django's template engine costs some 20 lookups a cell (seconds for the grid on a busy
    machine, where these f-strings take milliseconds). Only the ids (integers), the status (a
    choice) and escaped text go in."""
    key = f"{cell.enrollment_id}-{cell.slot.pk}"
    classes = f"cell {cell.status} has-error" if cell.errors else f"cell {cell.status}"
    post = f'hx-post="{url}" hx-params="s-{key},m-{key}"'
    messages = "".join(
        f'<span class="error" role="alert">{html_escape(e)}</span>' for e in cell.errors
    )
    if cell.hint:
        messages += f'<span class="hint">{html_escape(cell.hint)}</span>'
    minutes = html_escape(cell.minutes_text) if cell.minutes_text else ""
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<td id="t-{key}" class="{classes}"{swap}>'
        f'<select id="s-{key}" name="s-{key}" form="grid-form" {post} '
        f'aria-labelledby="l{cell.enrollment_id} h{cell.slot.pk}">{options[cell.status]}</select>'
        f'<input id="m-{key}" name="m-{key}" form="grid-form" value="{minutes}" class="minutes"'
        f' inputmode="numeric" size="4" {post} aria-label="{options["minutes_label"]}">'
        f"{messages}</td>"
    )


def row_html(cells: list[Cell], options: dict[str, SafeString], url: str) -> SafeString:
    return mark_safe("".join(cell_html(cell, options, url) for cell in cells))  # noqa: S308


def status_options() -> dict[str, SafeString]:
    """The <option>s of a cell's menu, one ready-made string per selected status: the grid has
    1 800 menus, built once here rather than option by option in the template."""
    choices = [("", "—"), *AttendanceStatus.choices]
    options = {
        selected: format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, " selected" if value == selected else "", label) for value, label in choices),
        )
        for selected, _label in choices
    }
    options["minutes_label"] = escape(_("minutes attended"))
    return options


@dataclass
class Posted:
    entries: list[recording.Entry] = field(default_factory=list)
    typed: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    all_present: int | None = None


def read_post(data: QueryDict) -> Posted:
    posted = Posted()
    for name in data:
        match = CELL.match(name)
        if not match:
            continue
        status = data.get(name, "")
        enrollment_id, slot_id = int(match.group(1)), int(match.group(2))
        typed = data.get(f"m-{enrollment_id}-{slot_id}", "").strip()[:20]
        minutes = None
        if status == AttendanceStatus.PARTIAL:
            try:
                minutes = parse_minutes(typed)
            except ValueError:
                posted.errors[enrollment_id, slot_id] = [
                    _("Type the minutes attended, such as 90 or 1h30.")
                ]
                posted.typed[enrollment_id, slot_id] = typed
                continue
        posted.typed[enrollment_id, slot_id] = typed
        posted.entries.append(recording.Entry(slot_id, enrollment_id, status, minutes))
    all_present = data.get("all_present", "")
    if all_present.isdigit():
        posted.all_present = int(all_present)
    return posted


def _grid_page(
    request: OrganizationRequest, session: Session, posted: Posted | None = None, status: int = 200
) -> HttpResponse:
    grid = attendance_grid(session=session, enrollments=grid_enrollments(session=session))
    if posted is not None:
        # The grid as the user posted it, with the refused cells' messages next to them.
        wanted = {(entry.enrollment_id, entry.slot_id): entry for entry in posted.entries}
        for row in grid.rows:
            for cell in row.cells:
                key = (cell.enrollment_id, cell.slot.pk)
                if key in wanted:
                    cell.status = wanted[key].status
                if key in posted.errors:
                    cell.errors = posted.errors[key]
                    cell.typed_minutes = posted.typed.get(key, "")
                    if not cell.status:
                        cell.status = AttendanceStatus.PARTIAL
    options, url = status_options(), request.path
    for row in grid.rows:
        row.cells_html = row_html(row.cells, options, url)
    context = {"session": session, "grid": grid}
    if request.membership.is_administrator:
        enrollments = [row.enrollment for row in grid.rows]
        context["drop_out_form"] = DropOutForm(enrollments=enrollments)
    return render(request, "attendance/grid.html", context, status=status)


def _cells_response(
    request: OrganizationRequest,
    session: Session,
    keys: list[tuple[int, int]],
    *,
    oob: bool,
    **extra: Any,
) -> HttpResponse:
    """The cells that changed (swapped in place) and their learners' new totals."""
    cells = grid_cells(session=session, keys=keys)
    for key, value in extra.get("overrides", {}).items():
        if key in cells:
            cells[key].status, cells[key].typed_minutes, cells[key].errors = value
    if extra.get("hint"):
        for cell in cells.values():
            cell.hint = extra["hint"]
    options, url = status_options(), request.path
    totals = attended_minutes(enrollment_ids={enrollment_id for enrollment_id, _slot_id in keys})
    context = {
        "session": session,
        "cells": [
            mark_safe(cell_html(cells[key], options, url, oob=oob))  # noqa: S308
            for key in keys
            if key in cells
        ],
        "totals": [(e, totals.get(e, 0)) for e in sorted({e for e, _s in keys})],
    }
    return render(request, "attendance/grid.html#cells_update", context)


@member_required()
def grid(request: OrganizationRequest, pk: int) -> HttpResponse:
    session = get_session_to_record(request, pk, Session.objects.select_related("course"))
    if request.method != "POST":
        return _grid_page(request, session)
    posted = read_post(request.POST)
    keys = [(entry.enrollment_id, entry.slot_id) for entry in posted.entries]
    if request.htmx and len(posted.entries) == 1 and not posted.errors:
        entry = posted.entries[0]
        if entry.status == AttendanceStatus.PARTIAL and entry.minutes is None:
            # "Partly present" just chosen: nothing is saved until the minutes are typed.
            overrides: dict[tuple[int, int], tuple[str, str, list[str]]] = {
                keys[0]: (entry.status, "", [])
            }
            hint = _("Type the minutes attended: the cell is saved when you leave that field.")
            return _cells_response(
                request, session, keys, oob=False, overrides=overrides, hint=hint
            )
    if request.htmx and posted.errors and len(posted.errors) + len(posted.entries) == 1:
        key, errors = next(iter(posted.errors.items()))
        overrides = {key: (AttendanceStatus.PARTIAL, posted.typed.get(key, ""), errors)}
        return _cells_response(request, session, [key], oob=False, overrides=overrides)
    if posted.errors:
        # Unreadable minutes: show every refusal at once, the others' too (nothing is saved).
        refused = recording.attendance_check(
            organization=request.organization, session=session, entries=posted.entries
        )
        posted.errors.update(_by_cell(refused))
        return _grid_page(request, session, posted, status=422)
    try:
        if posted.entries:
            recording.attendance_record(
                organization=request.organization,
                session=session,
                entries=posted.entries,
                user=request.user,
            )
        created = []
        if posted.all_present is not None:
            slot = session.time_slots.filter(pk=posted.all_present).first()
            if slot is not None:
                created = recording.slot_mark_present(
                    organization=request.organization, slot=slot, user=request.user
                )
    except recording.EntryErrors as error:
        if request.htmx and len(keys) == 1:
            entry = posted.entries[0]
            overrides = {keys[0]: (entry.status, posted.typed.get(keys[0], ""), error.messages)}
            return _cells_response(request, session, keys, oob=False, overrides=overrides)
        posted.errors = _by_cell(error.by_cell)
        return _grid_page(request, session, posted, status=422)
    except ValidationError as error:
        if request.htmx:
            return _alert(request, error.messages)
        for message in error.messages:
            messages.error(request, message)
        return redirect("attendance:grid", pk=session.pk)
    if request.htmx:
        if posted.all_present is not None:
            created_keys = [(entry.enrollment_id, entry.slot_id) for entry in created]
            return _cells_response(request, session, created_keys, oob=True)
        return _cells_response(request, session, keys, oob=False)
    if posted.all_present is not None:
        messages.success(
            request,
            ngettext(
                "%(count)d learner marked present.",
                "%(count)d learners marked present.",
                len(created),
            )
            % {"count": len(created)},
        )
    else:
        messages.success(request, _("Attendance saved."))
    return redirect("attendance:grid", pk=session.pk)


@member_required(admin=True)
@require_POST
def drop_out(request: OrganizationRequest, pk: int) -> HttpResponse:
    """Mark a learner dropped out in one step, from the grid (administrators: the outcome is the
    enrollment's)."""
    session = get_for_organization(request, Session, pk)
    enrollments = list(
        Enrollment.objects.filter(session=session).not_cancelled().select_related("learner")
    )
    form = DropOutForm(request.POST, enrollments=enrollments)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("attendance:grid", pk=session.pk)
    enrollment = next(e for e in enrollments if e.pk == form.cleaned_data["enrollment"])
    last_day = form.cleaned_data["last_day"]
    try:
        enrollment_drop_out(
            organization=request.organization,
            enrollment=enrollment,
            last_day=last_day,
            user=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(learner)s dropped out after %(day)s: absent from every later slot.")
            % {"learner": enrollment.learner, "day": last_day.strftime("%d/%m/%Y")},
        )
    return redirect("attendance:grid", pk=session.pk)


def _by_cell(refused: dict[tuple[int, int], list[str]]) -> dict[tuple[int, int], list[str]]:
    """The services key cells (slot, enrollment); the grid (enrollment, slot), as it names them."""
    return {
        (enrollment_id, slot_id): errors for (slot_id, enrollment_id), errors in refused.items()
    }


def _alert(request: OrganizationRequest, lines: list[str]) -> HttpResponse:
    """A refusal that concerns no single cell, shown in the page's messages."""
    html = format_html(
        '<div id="messages" class="messages" aria-live="polite" hx-swap-oob="true">{}</div>',
        format_html_join("", '<p class="message error">{}</p>', ((line,) for line in lines)),
    )
    return reswap(HttpResponse(html), "none")
