"""The Funding page's CSV export: what French spreadsheet users open with a double click.

Plain values (no formulas), semicolon separator, decimal comma, dd/mm/yyyy dates; a generator
behind a StreamingHttpResponse that sends a few hundred lines at a time (issue 17).
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from funding.export_rows import (
    AMOUNT_COLUMNS,
    COLUMN_COUNT,
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


def csv_lines(rows: Iterable[ExportRow]) -> Iterator[str]:
    """UTF-8 BOM, header, one line per allocation, the totals in all and by status: what French
    spreadsheet users open with a double click (semicolon separator, decimal comma, dd/mm/yyyy
    dates). Lines come in batches of CSV_BATCH.

    Amounts and dates repeat (a course's price, a session's dates): each is formatted once, then
    looked up; the csv module quotes a batch of lines at a time into a buffer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    totals = Totals()
    amounts: dict[Decimal | None, str] = {None: ""}
    dates: dict[datetime.date | None, str] = {None: ""}

    def amount(value: Decimal | None) -> str:
        text = amounts.get(value)
        if text is None:
            text = amounts[value] = french_decimal(value)
        return text

    def date(value: datetime.date | None) -> str:
        text = dates.get(value)
        if text is None:
            text = dates[value] = french_date(value)
        return text

    batch: list[tuple] = []
    first = True
    # Lines of the chunk under way: the first chunk counts the BOM and the header.
    pending = 2
    add = totals.add
    for row in rows:
        c = row.cells
        # Columns: AMOUNT_COLUMNS (10, 11, 12) and DATE_COLUMNS (6, 7, 15) formatted.
        batch.append(
            (
                *c[:6],
                date(c[6]),
                date(c[7]),
                c[8],
                c[9],
                amount(c[10]),
                amount(c[11]),
                amount(c[12]),
                c[13],
                c[14],
                date(c[15]),
                c[16],
            )
        )
        add(row)
        pending += 1
        if pending >= CSV_BATCH:
            writer.writerows(batch)
            batch, pending = [], 0
            yield _taken(buffer, bom=first)
            first = False
    writer.writerows(batch)
    status_labels = dict(FundingStatus.choices)
    for label, status, figures in totals.lines():
        line = [""] * COLUMN_COUNT
        line[TOTAL_LABEL_COLUMN] = label
        if status is not None:
            line[STATUS_COLUMN] = str(status_labels[status])
        for index, value in zip(AMOUNT_COLUMNS, figures, strict=True):
            line[index] = french_decimal(value)
        writer.writerow(line)
    yield _taken(buffer, bom=first)


def _taken(buffer: io.StringIO, *, bom: bool) -> str:
    """What the buffer holds (after the BOM if it is the file's start), the buffer emptied."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return "\ufeff" + text if bom else text


def csv_response(allocations: QuerySet, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_lines(export_rows(export_order(allocations)))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
