"""The Funding XLSX writes its data rows' XML itself, one string per row (issue 17): the cells
must be those XlsxWriter's own writers give, and read back exactly, whatever users typed."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from funding import export_xlsx
from funding.export_rows import ExportRow
from funding.models import FundingStatus
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_learner,
    make_session,
)

# Texts a user or a partner may type, each with something XlsxWriter must escape or keep.
TRICKY_TEXTS = [
    "Dupont & Fils <SARL>",
    'L\'Atelier "Bleu" > 3',
    "bell\x07 and unit separator\x1f",
    "_x0041_ looks like an escape",
    "not a character \ufffe\uffff",
    "🎓 Émilie Zoë",
    "  spaces around  ",
    "tab\tinside and line\nbreak",
    "trailing tab\t",
    '\'=HYPERLINK("http://evil")',
    "A" * 300,
]


def as_excel_shows(value):
    """A text cell as Excel and LibreOffice show it: openpyxl leaves the _xHHHH_ escapes of
    control characters (and _x005F_, an escaped underscore) as they are in the file."""
    if not isinstance(value, str):
        return value
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda match: chr(int(match.group(1), 16)), value)


def _row(cells: tuple) -> ExportRow:
    return ExportRow(
        cells=cells,
        status=FundingStatus.APPROVED,
        requested_amount=cells[10],
        approved_amount=cells[11],
        counted_amount=cells[12],
        funding_type=FundingType.EMPLOYER,
        funder=None,  # not read by the sheet
    )


def _rows() -> list[ExportRow]:
    rows = []
    for index, text in enumerate(TRICKY_TEXTS):
        rows.append(
            _row(
                (
                    text,
                    "" if index % 2 else text,  # an empty text is no cell
                    "Company",
                    "Employer",
                    "h",
                    f"S-{index}",
                    datetime.date(2025, 1, 1) + datetime.timedelta(days=index * 40),
                    datetime.date(2025, 1, 3) + datetime.timedelta(days=index * 40),
                    text,
                    "Approved",
                    None if index % 3 else Decimal("1500.00"),
                    Decimal("1234.56") + index,
                    Decimal("0.10") * index,
                    "" if index % 2 else "12345678901",
                    text,
                    None if index % 2 else datetime.date(2026, 12, 31),
                    text,
                )
            )
        )
    return rows


class PublicApiSheet(export_xlsx.Sheet):
    """The reference: each cell through XlsxWriter's public writers, as before issue 17."""

    def append(self, row: ExportRow) -> None:
        for column, value in enumerate(row.cells):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                self.sheet.write_string(self.row, column, value)
            elif isinstance(value, Decimal):
                self.sheet.write_number(self.row, column, float(value), self.formats.euro)
            else:
                self.sheet.write_number(
                    self.row, column, export_xlsx.excel_date(value), self.formats.date
                )
        self.row += 1
        self.totals.add(row)


def _parts(sheet_class: type[export_xlsx.Sheet], rows: list[ExportRow]) -> dict[str, bytes]:
    output = io.BytesIO()
    workbook = export_xlsx.new_workbook(output)
    sheet = sheet_class(workbook, export_xlsx.Formats(workbook), "Funding")
    for row in rows:
        sheet.append(row)
    sheet.close()
    workbook.close()
    with zipfile.ZipFile(output) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_rows_are_the_xml_xlsxwriter_writes():
    """Sheet XML and styles byte for byte those of XlsxWriter's public writers: the same cells,
    types, escapes and formats; the header, the filter and the totals written around them."""
    rows = _rows()
    ours, reference = _parts(export_xlsx.Sheet, rows), _parts(PublicApiSheet, rows)
    assert ours.keys() == reference.keys()
    for name in ("xl/worksheets/sheet1.xml", "xl/styles.xml"):
        assert ours[name] == reference[name], name
    assert b"_x005F_x0041_" in ours["xl/worksheets/sheet1.xml"]  # the escape was exercised


def test_a_text_like_rich_text_markup_stays_text():
    """XlsxWriter writes a string "<r>…</r>" unescaped, as rich text markup: a user's text of
    that shape must be escaped as any other, and read back as typed."""
    text = "<r><t>injected</t></r>"
    cells = (text, text, "Company", "Employer", "h", "S", datetime.date(2025, 1, 1), None)
    row = _row((*cells, text, "Approved", None, Decimal(1), Decimal(1), "", "", None, ""))
    sheet = _parts(export_xlsx.Sheet, [row])["xl/worksheets/sheet1.xml"]
    assert b"&lt;r&gt;&lt;t&gt;injected" in sheet and b"<r><t>injected" not in sheet
    book = load_workbook(io.BytesIO(_workbook_bytes([row])))
    assert book.active["A2"].value == text


def _workbook_bytes(rows: list[ExportRow]) -> bytes:
    output = io.BytesIO()
    workbook = export_xlsx.new_workbook(output)
    export_xlsx.write_xlsx(workbook, rows)
    workbook.close()
    return output.getvalue()


def test_rows_must_come_in_order():
    workbook = export_xlsx.new_workbook(io.BytesIO())
    sheet = workbook.add_worksheet()
    sheet.write_string(3, 0, "pending")
    with pytest.raises(ValueError, match="comes after"):
        export_xlsx.write_row_xml(sheet, 2, 0, 0, "")
    with pytest.raises(ValueError, match="comes after"):
        export_xlsx.write_row_xml(sheet, 3, 0, 0, "")  # row 3 still has a cell in memory
    workbook.close()


@pytest.mark.django_db
def test_tricky_rows_read_back_exactly(admin_client, organization):
    """Through the view: formula-looking and XML-special names, control characters, emoji,
    empty optional fields, amounts with cents and dates, read back with openpyxl."""
    course = make_course(organization, title='Excel <avancé> & "VBA"')
    session = make_session(
        organization,
        course,
        reference="=SUM(A1)",
        start_date=datetime.date(2025, 2, 28),
        end_date=datetime.date(2025, 3, 1),
    )
    company = make_company(organization, name="Dupont & Fils <SARL> 🎓")
    learner = make_learner(
        organization, first_name="@Zoë\x07", last_name='O\'Brien "Jr"', employer=company
    )
    make_allocation(
        make_enrollment(session, learner),
        funding_type=FundingType.EMPLOYER,
        carrier=company,
        amount="1234.56",
        status=FundingStatus.PAID,
        paid_on=datetime.date(2025, 12, 31),
        requested_amount=Decimal("1500.05"),
        funder_reference="-REF_x0041_",
        remittance_reference="\tVIR 12",
    )
    response = admin_client.get(reverse("funding:export_xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = next(book.active.iter_rows(min_row=2, max_row=2))
    assert [as_excel_shows(cell.value) for cell in cells] == [
        "'@Zoë\x07 O'Brien \"Jr\"",
        "Dupont & Fils <SARL> 🎓",
        "Company",
        "Employer (direct payment)",
        "1",
        "'=SUM(A1)",
        datetime.datetime(2025, 2, 28),
        datetime.datetime(2025, 3, 1),
        'Excel <avancé> & "VBA"',
        "Paid",
        1500.05,
        1234.56,
        1234.56,
        None,  # no CPF case number: no cell
        "'-REF_x0041_",
        datetime.datetime(2025, 12, 31),
        "'\tVIR 12",
    ]
    assert [cell.data_type for cell in cells[:6]] == ["s"] * 6
    assert cells[6].number_format == cells[15].number_format == export_xlsx.DATE_FORMAT
    assert {cells[i].number_format for i in (10, 11, 12)} == {export_xlsx.EURO_FORMAT}
