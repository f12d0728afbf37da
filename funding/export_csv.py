"""The Funding page's CSV export: what French spreadsheet users open with a double click.

Plain values (no formulas), semicolon separator, decimal comma, dd/mm/yyyy dates; a generator
behind a StreamingHttpResponse that sends a few hundred lines at a time (issue 17).
"""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from funding.export_rows import (
    AMOUNT_COLUMNS,
    COLUMN_COUNT,
    DATE_COLUMNS,
    STATUS_COLUMN,
    TOTAL_LABEL_COLUMN,
    Totals,
    export_order,
    export_rows,
    headers,
)
from funding.models import FundingStatus

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from django.db.models import QuerySet

    from funding.export_rows import ExportRow

# CSV lines sent to the client at a time: one write per line would cost more than the line.
CSV_BATCH = 500


def french_decimal(value: Decimal | None) -> str:
    """Decimal('1234.5') → '1234,50' (no thousands separator: spreadsheets read it as a number)."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def french_date(value: datetime.date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


class _Echo:
    """A file-like object whose write returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[ExportRow]) -> Iterator[str]:
    """UTF-8 BOM, header, one line per allocation, the totals in all and by status: what French
    spreadsheet users open with a double click (semicolon separator, decimal comma, dd/mm/yyyy
    dates). Lines come in batches of CSV_BATCH."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    lines = ["\ufeff", writer.writerow(headers())]
    totals = Totals()
    dates: dict[datetime.date, str] = {}
    for row in rows:
        values = list(row.cells)
        for index in AMOUNT_COLUMNS:
            value = values[index]
            values[index] = "" if value is None else f"{value:.2f}".replace(".", ",")
        for index in DATE_COLUMNS:
            value = values[index]
            if value is None:
                values[index] = ""
            else:
                text = dates.get(value)
                if text is None:
                    text = dates[value] = french_date(value)
                values[index] = text
        lines.append(writer.writerow(values))
        totals.add(row)
        if len(lines) >= CSV_BATCH:
            yield "".join(lines)
            lines = []
    status_labels = dict(FundingStatus.choices)
    for label, status, amounts in totals.lines():
        line = [""] * COLUMN_COUNT
        line[TOTAL_LABEL_COLUMN] = label
        if status is not None:
            line[STATUS_COLUMN] = str(status_labels[status])
        for index, value in zip(AMOUNT_COLUMNS, amounts, strict=True):
            line[index] = french_decimal(value)
        lines.append(writer.writerow(line))
    yield "".join(lines)


def csv_response(allocations: QuerySet, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_lines(export_rows(export_order(allocations)))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
