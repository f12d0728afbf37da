from __future__ import annotations

import io
from dataclasses import asdict, dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bpf import drill as drilling
from bpf import labels
from bpf.computation import compute_bpf, default_fiscal_year
from bpf.detail import detail_response
from bpf.exports import EXPORT_LANGUAGE, export, report_for_export
from bpf.files import FORMATS
from bpf.forms import BpfInputsForm
from bpf.models import BpfFiling, BpfInputs
from bpf.report import BpfReport, Inputs
from bpf.rows import flat_rows, form_sections
from bpf.services import filing_create, inputs_save
from bpf.snapshots import latest_filing, report_from_filing
from bpf.years import fiscal_years_with_data
from certeef.access import member_required
from certeef.formats import format_number
from certeef.history import Change, changes_of
from certeef.http import OrganizationRequest
from certeef.lists import query_string_without_page

DRILL_PAGE_SIZE = 50


@dataclass(frozen=True)
class Difference:
    label: str
    filed: str
    current: str


def _text_of(value: int | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, int):
        return format_number(value)
    return str(value)


def _differences(filed: BpfReport, current: BpfReport) -> list[Difference]:
    """Every line of the form (A to H, the share of turnover) whose value is not what was filed."""
    titles = labels.section_titles(current.form)
    filed_rows = {code: (label, value) for code, label, value in flat_rows(filed)}
    current_rows = {code: (label, value) for code, label, value in flat_rows(current)}
    differences = []
    for code in dict.fromkeys([*current_rows, *filed_rows]):
        filed_value = _text_of(filed_rows.get(code, ("", None))[1])
        current_value = _text_of(current_rows.get(code, ("", None))[1])
        if filed_value != current_value:
            label = (current_rows.get(code) or filed_rows[code])[0]
            section, _dot, rest = code.partition(".")
            line = rest if section == "C" and rest not in ("total", "turnover_share") else ""
            text = " ".join(part for part in (line, label) if part)
            differences.append(
                Difference(f"{titles.get(section, section)} — {text}", filed_value, current_value)
            )
    return differences


def _year_open(request: OrganizationRequest, year: int) -> bool:
    """The fiscal year has not ended yet (today, in the organisation's time zone)."""
    _start, end = request.organization.fiscal_year_bounds(year)
    return timezone.localdate() <= end


def _years(request: OrganizationRequest) -> list[int]:
    return fiscal_years_with_data(request.organization)


def _year_or_404(request: OrganizationRequest, year: int) -> int:
    if year not in _years(request):
        raise Http404
    return year


def _report_context(
    request: OrganizationRequest, year: int, years: list[int], form: BpfInputsForm | None = None
) -> dict[str, object]:
    org = request.organization
    report = compute_bpf(org, year)
    previous = compute_bpf(org, year - 1, with_checks=False) if year - 1 in years else None
    filings = list(
        BpfFiling.objects.filter(organization=org, fiscal_year=year).select_related(
            "filed_by", "organization"
        )
    )
    filing = filings[0] if filings else None
    filed = report_from_filing(filing) if filing is not None else None
    input_changes: list[Change] = []
    settings_changes: list[Change] = []
    if filing is not None:
        # What was typed or set after filing: the filed figures no longer say it.
        inputs = BpfInputs.objects.filter(organization=org, fiscal_year=year).first()
        if inputs is not None:
            input_changes = changes_of(inputs, since=filing.filed_at)
        # The organisation's settings fill sections A and B of every year.
        settings_changes = changes_of(org, since=filing.filed_at)
    if form is None:
        # What was typed, as the report has just read it (not read again).
        form = BpfInputsForm(initial=asdict(report.inputs), has_activity=report.has_data)
    titles = labels.section_titles(report.form)
    return {
        "years": years,
        "year": year,
        "report": report,
        "previous": previous,
        "sections": form_sections(report, previous),
        "titles": titles,
        "f_columns": labels.F_COLUMNS,
        "filed": filed,
        "differences": _differences(filed, report) if filed is not None else [],
        "filings": filings,
        "input_changes": input_changes,
        "settings_changes": settings_changes,
        "year_open": _year_open(request, year),
        "form": form,
        # Sections D, E and H open until something is typed for the year.
        "inputs_typed": report.inputs != Inputs(),
        "input_fields": form.fields_by_section(),
        "formats": FORMATS,
    }


@member_required(admin=True)
def report(request: OrganizationRequest) -> HttpResponse:
    years = _years(request)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year not in years:
        year = default_fiscal_year(request.organization, years, timezone.localdate())
    if year is None:
        return render(request, "bpf/report.html", {"years": []})
    return render(request, "bpf/report.html", _report_context(request, year, years))


@member_required(admin=True)
def drill(request: OrganizationRequest, year: int, key: str) -> HttpResponse:
    _year_or_404(request, year)
    report = compute_bpf(request.organization, year)
    if not drilling.valid_key(report, key):
        raise Http404
    figure = drilling.drill_targets(report)[key]
    page: Page
    rows: list[drilling.AllocationRow] | list[drilling.EnrollmentRow]
    if drilling.is_allocation_key(key):
        allocations = drilling.allocations_for(
            request.organization, report, drilling.c_lines_of(key)
        )
        page = Paginator(allocations, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = drilling.allocation_rows(report, page.object_list)
    else:
        enrollments = drilling.enrollments_for(request.organization, report, key)
        page = Paginator(enrollments, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = drilling.enrollment_rows(report, page.object_list)
    context = {
        "report": report,
        "year": year,
        "key": key,
        "label": drilling.label_of(report, key),
        "figure": figure,
        "allocations": drilling.is_allocation_key(key),
        "page": page,
        "rows": rows,
        "base_query": query_string_without_page(request),
        "drill_url": reverse("bpf:drill", args=[year, key]),
        # The line on the BPF page, to go back to it.
        "line_url": reverse("bpf:report") + f"?year={year}#line-{key}",
    }
    template = "bpf/drill.html#drill_row" if request.htmx else "bpf/drill.html"
    return render(request, template, context)


@member_required(admin=True)
@require_POST
def save_inputs(request: OrganizationRequest, year: int) -> HttpResponse:
    years = _years(request)
    _year_or_404(request, year)
    stored = BpfInputs.objects.filter(organization=request.organization, fiscal_year=year).first()
    form = BpfInputsForm(request.POST, instance=stored, has_activity=True)
    if form.is_valid():
        inputs_save(form=form, organization=request.organization, year=year, user=request.user)
        messages.success(request, _("Figures for fiscal year %(year)s saved.") % {"year": year})
        section = request.POST.get("section")
        anchor = f"section-{section}" if section in BpfInputsForm.SECTIONS else "section-D"
        return redirect(reverse("bpf:report") + f"?year={year}#{anchor}")
    return render(request, "bpf/report.html", _report_context(request, year, years, form=form))


@member_required(admin=True)
@require_POST
def mark_filed(request: OrganizationRequest, year: int) -> HttpResponse:
    _year_or_404(request, year)
    if _year_open(request, year) and request.POST.get("confirm_open_year") != "1":
        # Filing a year that has not ended freezes partial figures: say so and ask again.
        _start, end = request.organization.fiscal_year_bounds(year)
        return render(request, "bpf/confirm_file.html", {"year": year, "end": end})
    try:
        filing_create(organization=request.organization, year=year, filed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Fiscal year %(year)s marked as filed: its figures are kept as they are now.")
            % {"year": year},
        )
    return redirect(reverse("bpf:report") + f"?year={year}")


@member_required(admin=True)
def export_file(request: OrganizationRequest, year: int, file_format: str) -> HttpResponseBase:
    if file_format not in FORMATS:
        raise Http404
    if request.GET.get("filing"):
        # One snapshot among the year's filings: every one stays downloadable.
        try:
            filing_id = int(request.GET["filing"])
        except ValueError:
            raise Http404 from None
        filing = (
            BpfFiling.objects.filter(
                organization=request.organization, fiscal_year=year, pk=filing_id
            )
            .select_related("filed_by", "organization")
            .first()
        )
        if filing is None:
            raise Http404
        bpf_report = report_from_filing(filing)
    elif request.GET.get("filed"):
        filing = latest_filing(request.organization, year)
        if filing is None:
            raise Http404
        bpf_report = report_from_filing(filing)
    else:
        bpf_report = report_for_export(request.organization, year)
        if not bpf_report.has_data:
            raise Http404
    exported = export(bpf_report, file_format)
    return FileResponse(
        io.BytesIO(exported.content),
        as_attachment=True,
        filename=exported.filename,
        content_type=exported.content_type,
    )


@member_required(admin=True)
def export_detail(request: OrganizationRequest, year: int) -> HttpResponseBase:
    """The "BPF detail" XLSX: the rows behind the year's figures, or behind one figure (?key=,
    from its drill-down). Streamed: current data, whatever was filed."""
    _year_or_404(request, year)
    bpf_report = compute_bpf(request.organization, year)
    key = request.GET.get("key") or None
    if key is not None and not drilling.valid_key(bpf_report, key):
        raise Http404
    # In French, as every BPF file (types and statuses included), whatever the user's language.
    with translation.override(EXPORT_LANGUAGE):
        return detail_response(request.organization, bpf_report, key)
