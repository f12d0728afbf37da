"""What the benchmark measures (issue 6), against the `seed_demo --scale N` organisation."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from bench.attendance_ops import measured as attendance_measured
from bench.imports_ops import measured as imports_measured
from bench.status_ops import measured as status_measured
from bpf.computation import compute_bpf
from bpf.exports import export
from bpf.years import fiscal_years_with_data
from certeef.models import Organization
from demo.scale import scale_present, scale_slug, scale_username
from funding.export_rows import export_order, export_rows
from funding.models import COUNTED_STATUSES, FundingAllocation
from training.models import Session

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

LIST_TARGET = "≤ 150 ms, ≤ 15 queries"

# The floor: section C straight from the allocations table, one GROUP BY, no pro-rating.
FLOOR_SQL = """
SELECT a.funding_type, SUM(a.approved_amount)
FROM funding_fundingallocation a
JOIN training_session s ON s.id = a.session_id
WHERE a.organization_id = %s AND a.status IN (%s, %s) AND s.start_date <= %s AND s.end_date >= %s
GROUP BY a.funding_type
"""


def _busiest_fiscal_year(organization: Organization) -> int:
    """The fiscal year with the most allocations (by their session's end date)."""
    years: dict[int, int] = {}
    rows = (
        FundingAllocation.objects.filter(organization=organization)
        .values("session__end_date__year")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        years[row["session__end_date__year"]] = row["n"]
    calendar_year = max(years, key=lambda year: years[year])
    return organization.fiscal_year_of(organization.fiscal_year_bounds(calendar_year)[1])


def _client(organization: Organization) -> Client:
    user = get_user_model().objects.get(username=scale_username(organization_scale(organization)))
    if not user.is_superuser:
        # The Django admin reference needs a superuser; the bench's own user is one.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


def organization_scale(organization: Organization) -> int:
    return int(organization.slug.removeprefix("scale-"))


def _get(client: Client, url: str) -> Callable[[], int]:
    def run() -> int:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.context.get("page") if response.context else None
        return len(page.object_list) if page is not None else 1

    return run


def _download(client: Client, url: str, rows: int) -> Callable[[], tuple[int, int]]:
    """Download a file as a browser would, consuming a streamed response chunk by chunk."""

    def run() -> tuple[int, int]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if isinstance(response, StreamingHttpResponse):
            return rows, sum(len(chunk) for chunk in response.streaming_content)
        return rows, len(response.content)

    return run


@dataclass
class Operation:
    name: str
    run: Callable[[], int | tuple[int, int]]
    target: str = ""
    # Whole-file exports take seconds: fewer timed runs keep the benchmark under 10 minutes,
    # and their warm-up is a small export through the same code (imports, first queries).
    repeat: int | None = None
    warmup: Callable[[], object] | None = None


def operations(*, scale: int) -> Iterator[Operation]:
    if not scale_present(scale):
        call_command("seed_demo", scale=scale, stdout=io.StringIO())
    organization = Organization.objects.get(slug=scale_slug(scale))
    year = _busiest_fiscal_year(organization)
    start, end = organization.fiscal_year_bounds(year)
    allocation_count = FundingAllocation.objects.filter(organization=organization).count()
    client = _client(organization)

    def bpf() -> int:
        compute_bpf(organization, year)
        return allocation_count

    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [organization.pk, *COUNTED_STATUSES, end, start])
            return len(cursor.fetchall())

    yield Operation(f"1. BPF computation, fiscal year {year}", bpf, "≤ 500 ms, ≤ 3× floor")
    yield Operation("2. C section floor: one GROUP BY over allocations", floor, "(floor)")

    individuals = reverse("individuals:list")
    yield Operation("3a. Individuals list, first page", _get(client, individuals), LIST_TARGET)
    yield Operation(
        "3b. Individuals list, search 'mar'", _get(client, f"{individuals}?q=mar"), LIST_TARGET
    )
    funding_filter = f"{reverse('funding:list')}?status=approved&funding_type=cpf"
    yield Operation(
        "3c. Funding page, CPF + Approved, with totals", _get(client, funding_filter), LIST_TARGET
    )
    sessions = Session.objects.filter(organization=organization)
    busy_session = (
        sessions.annotate(n=Count("enrollments", filter=~Q(enrollments__outcome="cancelled")))
        .filter(n__gte=30)
        .order_by("n", "pk")
        .values_list("pk", "n")
        .first()
        or sessions.annotate(n=Count("enrollments")).order_by("-n").values_list("pk", "n").first()
    )
    if busy_session is None:
        raise RuntimeError("The benchmark runs on the seeded data: it has no session.")
    session_pk, learners = busy_session
    yield Operation(
        f"3d. Session page ({learners} learners, mixed funding)",
        _get(client, reverse("training:session_detail", args=[session_pk])),
        LIST_TARGET,
    )
    yield Operation(
        "3e. Dashboard (administrator)", _get(client, reverse("dashboard")), LIST_TARGET
    )
    yield Operation(
        f"3f. BPF page, fiscal year {year} beside {year - 1}",
        _get(client, f"{reverse('bpf:report')}?year={year}"),
        LIST_TARGET,
    )
    # The attendance grid (issue 15): bench/attendance_ops.py.
    yield from attendance_measured(organization, client, Operation)
    # A status change (issue 17): bench/status_ops.py.
    yield from status_measured(organization, client, Operation)
    funding = reverse("funding:list")
    yield Operation(
        "3k. Funding page, text search 'mar', with totals",
        _get(client, f"{funding}?q=mar"),
        LIST_TARGET,
    )
    yield Operation("3l. Funding page, no filter, with totals", _get(client, funding), LIST_TARGET)
    admin = reverse("admin:funding_fundingallocation_changelist")
    yield Operation(
        "4. Django admin change list of allocations", _get(client, admin), "(reference)"
    )

    report = compute_bpf(organization, year)

    def bpf_file(file_format: str) -> Callable[[], tuple[int, int]]:
        def run() -> tuple[int, int]:
            return allocation_count, len(export(report, file_format).content)

        return run

    small_year = compute_bpf(organization, min(fiscal_years_with_data(organization)))
    yield Operation("5a. BPF PDF export", bpf_file("pdf"), "≤ 5 s", repeat=3)
    yield Operation(
        "5b. BPF XLSX export",
        bpf_file("xlsx"),
        "",
        repeat=2,
        warmup=lambda: export(small_year, "xlsx"),
    )
    small_filter = "?status=rejected&funding_type=cpf"
    xlsx_url, csv_url = reverse("funding:export_xlsx"), reverse("funding:export_csv")
    yield Operation(
        "5c. Funding XLSX export, all allocations",
        _download(client, xlsx_url, allocation_count),
        "≤ 8 s",
        repeat=2,
        warmup=_download(client, xlsx_url + small_filter, 0),
    )
    yield Operation(
        "5d. Funding CSV export, all allocations",
        _download(client, csv_url, allocation_count),
        "≤ 2 s",
        repeat=3,
        warmup=_download(client, csv_url + small_filter, 0),
    )
    by_funder_url = reverse("funding:export_by_funder")
    yield Operation(
        "5e. Funding XLSX per funder, all allocations",
        _download(client, by_funder_url, allocation_count),
        "",
        repeat=2,
        warmup=_download(client, by_funder_url + small_filter, 0),
    )
    detail_url = reverse("bpf:detail", args=[year])
    yield Operation(
        f"5f. BPF detail export, fiscal year {year} (streamed)",
        _download(client, detail_url, allocation_count),
        "",
        repeat=2,
        warmup=_download(client, detail_url + "?key=C.3", 0),
    )
    yield Operation(
        "6. Format floor: bare openpyxl write-only loop, the Funding XLSX's cells",
        _format_floor(organization),
        "(floor of 5c, 5e)",
        repeat=2,
    )
    # The imports (issue 16): bench/imports_ops.py.
    yield from imports_measured(scale, Operation)


def _format_floor(organization: Organization) -> Callable[[], tuple[int, int]]:
    """What the XLSX format itself costs: the Funding XLSX's cells (read once, before the timed
    runs) appended to an openpyxl write-only sheet and saved to a temporary file, nothing else:
    no database, no formats, no totals. (Read by the warm-up, not when the operation is listed.)"""
    cells: list[tuple] = []

    def run() -> tuple[int, int]:
        if not cells:  # the warm-up reads them
            allocations = FundingAllocation.objects.filter(organization=organization)
            cells.extend(row.cells for row in export_rows(export_order(allocations)))
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Funding")
        for row in cells:
            sheet.append(row)
        with tempfile.TemporaryFile() as output:
            workbook.save(output)
            return len(cells), output.tell()

    return run
