from __future__ import annotations

import io
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
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
from bpf.models import BpfInputs
from bpf.queries import fiscal_years_with_data
from bpf.report import BpfReport
from bpf.rows import Row, figure_rows, identity_rows, input_rows, values_by_key
from bpf.services import filing_create
from bpf.snapshots import latest_filing, report_from_filing
from certeef.access import member_required
from certeef.formats import format_number
from certeef.lists import query_string_without_page

DRILL_PAGE_SIZE = 50


@dataclass(frozen=True)
class PageRow:
    """A line of the page: the current figure and, beside it, last year's."""

    row: Row
    previous: int | tuple[int, int] | None


@dataclass(frozen=True)
class Difference:
    label: str
    filed: str
    current: str


def _value_text(value: int | tuple[int, int] | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, tuple):
        return _("%(learners)s learners, %(hours)s h") % {
            "learners": format_number(value[0]),
            "hours": format_number(value[1]),
        }
    return format_number(value)


def _page_rows(rows: list[Row], previous: BpfReport | None) -> list[PageRow]:
    previous_values = values_by_key(previous) if previous is not None else {}
    return [PageRow(row, previous_values.get(row.key)) for row in rows]


def _differences(filed: BpfReport, current: BpfReport) -> list[Difference]:
    filed_rows = {row.key: row for row in figure_rows(filed) if not row.heading}
    current_rows = {row.key: row for row in figure_rows(current) if not row.heading}
    differences = []
    for key in dict.fromkeys([*current_rows, *filed_rows]):
        filed_value = filed_rows[key].value if key in filed_rows else None
        current_value = current_rows[key].value if key in current_rows else None
        if filed_value != current_value:
            row = current_rows.get(key) or filed_rows[key]
            label = f"{labels.SECTION_TITLES[row.section]} — {row.code} {row.label}"
            differences.append(
                Difference(label, _value_text(filed_value), _value_text(current_value))
            )
    return differences


def _years(request: HttpRequest) -> list[int]:
    return fiscal_years_with_data(request.organization)


def _year_or_404(request: HttpRequest, year: int) -> int:
    if year not in _years(request):
        raise Http404
    return year


def _report_context(request: HttpRequest, year: int, years: list[int], form=None) -> dict:
    org = request.organization
    report = compute_bpf(org, year)
    previous = compute_bpf(org, year - 1, with_checks=False) if year - 1 in years else None
    filing = latest_filing(org, year)
    filed = report_from_filing(filing) if filing is not None else None
    if form is None:
        stored = BpfInputs.objects.filter(organization=org, fiscal_year=year).first()
        form = BpfInputsForm(instance=stored, has_activity=report.has_data)
    rows = _page_rows(figure_rows(report), previous)
    titles = labels.section_titles(report.form)
    return {
        "years": years,
        "year": year,
        "report": report,
        "previous": previous,
        "c_rows": [r for r in rows if r.row.section == "C"],
        "f_sections": [
            (section, titles[section], [r for r in rows if r.row.section == section])
            for section in ("F1", "F2", "F3", "F4")
        ],
        "g_rows": [r for r in rows if r.row.section == "G"],
        "identity_rows": identity_rows(report),
        "input_rows": input_rows(report),
        "titles": titles,
        "f_columns": labels.F_COLUMNS,
        "filed": filed,
        "differences": _differences(filed, report) if filed is not None else [],
        "form": form,
        "formats": FORMATS,
    }


@member_required(admin=True)
def report(request: HttpRequest) -> HttpResponse:
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
def drill(request: HttpRequest, year: int, key: str) -> HttpResponse:
    _year_or_404(request, year)
    report = compute_bpf(request.organization, year)
    if not drilling.valid_key(report, key):
        raise Http404
    figure = drilling.drill_targets(report)[key]
    if drilling.is_allocation_key(key):
        queryset = drilling.allocations_for(request.organization, report, drilling.c_lines_of(key))
    else:
        queryset = drilling.enrollments_for(request.organization, report, key)
    page = Paginator(queryset, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    if drilling.is_allocation_key(key):
        rows = drilling.allocation_rows(report, page.object_list)
    else:
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
    }
    template = "bpf/drill.html#drill" if request.htmx else "bpf/drill.html"
    return render(request, template, context)


@member_required(admin=True)
@require_POST
def save_inputs(request: HttpRequest, year: int) -> HttpResponse:
    years = _years(request)
    _year_or_404(request, year)
    stored = BpfInputs.objects.filter(organization=request.organization, fiscal_year=year).first()
    form = BpfInputsForm(request.POST, instance=stored, has_activity=True)
    if form.is_valid():
        inputs = form.save(commit=False)
        inputs.organization = request.organization
        inputs.fiscal_year = year
        inputs.updated_by = request.user
        inputs.save()
        messages.success(request, _("Figures for fiscal year %(year)s saved.") % {"year": year})
        return redirect(reverse("bpf:report") + f"?year={year}#inputs")
    return render(request, "bpf/report.html", _report_context(request, year, years, form=form))


@member_required(admin=True)
@require_POST
def mark_filed(request: HttpRequest, year: int) -> HttpResponse:
    _year_or_404(request, year)
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
def export_file(request: HttpRequest, year: int, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        raise Http404
    if request.GET.get("filed"):
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
def export_detail(request: HttpRequest, year: int) -> HttpResponse:
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
