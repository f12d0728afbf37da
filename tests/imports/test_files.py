"""Reading files as people have them (imports/files.py)."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from imports.files import FileError, read_table


def xlsx(rows, *, title="Feuil1", merge=None, more_sheets=()) -> bytes:
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    for name, other_rows in more_sheets:
        other = book.create_sheet(name)
        for row in other_rows:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_french_excel_csv_semicolons_bom_utf8():
    data = "\ufeffNom;Prénom;Montant\r\nDurand;Hélène;1 234,50\r\n".encode()
    table = read_table(data, "export.csv")
    assert table.headers == ["Nom", "Prénom", "Montant"]
    assert table.rows[0].cells == ["Durand", "Hélène", "1 234,50"]
    assert table.rows[0].line == 2
    assert "UTF-8" in table.description


def test_french_excel_csv_windows_1252():
    data = "Nom;Prénom\r\nLefèvre;Zoé\r\n".encode("cp1252")
    table = read_table(data, "export.csv")
    assert table.rows[0].cells == ["Lefèvre", "Zoé"]
    assert "Windows-1252" in table.description


def test_comma_csv_utf8_with_quotes_and_decimal_comma_inside_semicolon_file():
    table = read_table(b'Last name,First name,Note\nDoe,"Jane, Ann","a; b"\n', "x.csv")
    assert table.rows[0].cells == ["Doe", "Jane, Ann", "a; b"]
    table = read_table(b"Nom;Heures\nA;38,5\n", "x.csv")
    assert table.rows[0].cells == ["A", "38,5"]


def test_blank_lines_keep_their_numbers_and_trailing_empty_columns_are_dropped():
    data = "Nom;Prénom;;\n\nA;B;;\n;;;\nC;D\n".encode()
    table = read_table(data, "x.csv")
    assert table.headers == ["Nom", "Prénom"]
    assert [(row.line, row.cells) for row in table.rows] == [(3, ["A", "B"]), (5, ["C", "D"])]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (b"Nom;Prenom\n", "no data rows"),
        (b"\x00\x01\x02binary\x00", "neither a CSV file nor an XLSX file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither a CSV file nor an XLSX file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
        (b"\xef\xbb\xbfNom;Pr\xe9nom\nA;B\n", "encoding could not be detected"),
        (b"Nom;Pr\x81nom\nA;B\n", "encoding could not be detected"),
        (b"Nom\nDurand\n", "separator could not be detected"),
        (b"a;b,c\n1;2,3\n", "separator could not be detected"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(data, message):
    with pytest.raises(FileError, match=message):
        read_table(data, "file.csv")


def test_a_file_over_the_size_limit_is_refused_with_the_limit():
    with pytest.raises(FileError, match="20 MB"):
        read_table(b"x" * (20 * 1024 * 1024 + 1), "x.csv")


def test_a_file_over_the_row_limit_is_refused_with_the_limit():
    data = b"Nom;Prenom\n" + b"A;B\n" * 100_001
    with pytest.raises(FileError, match="more than 100 000 rows"):
        read_table(data, "x.csv")
    assert len(read_table(b"Nom;Prenom\n" + b"A;B\n" * 100_000, "x.csv").rows) == 100_000


def test_xlsx_first_sheet_or_a_named_one_dates_and_numbers_as_text():
    data = xlsx(
        [["Nom", "Début", "Heures", None], ["Durand", datetime.datetime(2025, 3, 3), 38.5, None]],
        more_sheets=[("Autre", [["Title"], ["B"]])],
    )
    table = read_table(data, "f.xlsx")
    assert table.headers == ["Nom", "Début", "Heures"]
    assert table.rows[0].cells == ["Durand", "03/03/2025", "38.5"]
    assert table.sheets == ["Feuil1", "Autre"]
    assert read_table(data, "f.xlsx", sheet="Autre").rows[0].cells == ["B"]
    with pytest.raises(FileError, match="no sheet named “Nope” \\(its sheets: Feuil1, Autre\\)"):
        read_table(data, "f.xlsx", sheet="Nope")


def test_xlsx_formula_without_a_computed_value_is_kept_as_its_text():
    # openpyxl writes formulas without their value (no spreadsheet computed them): the import
    # then refuses the cell rather than reading it as empty.
    data = xlsx([["Nom", "Heures"], ["A", "=2*7"]])
    assert read_table(data, "f.xlsx").rows[0].cells == ["A", "=2*7"]


def test_xlsx_formula_with_its_computed_value_is_read_as_the_value():
    data = xlsx([["Nom", "Heures"], ["A", "=2*7"]])
    # Add the value a spreadsheet would have cached next to the formula.

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>2*7</f><v></v>" in content
                content = content.replace(b"<f>2*7</f><v></v>", b"<f>2*7</f><v>14</v>")
            target.writestr(item, content)
    assert read_table(out.getvalue(), "f.xlsx").rows[0].cells == ["A", "14"]


def test_xlsx_merged_cells_give_their_value_to_every_cell_they_cover():
    data = xlsx([["Formation", "Nom"], ["Excel", "A"], [None, "B"], ["Word", "C"]], merge="A2:A3")
    table = read_table(data, "f.xlsx")
    assert [row.cells for row in table.rows] == [["Excel", "A"], ["Excel", "B"], ["Word", "C"]]


def test_damaged_xlsx_is_refused():
    with pytest.raises(FileError, match="not a valid XLSX"):
        read_table(b"PK\x03\x04garbage", "f.xlsx")
    with pytest.raises(FileError, match="not a valid XLSX"):
        read_table(b"Nom;Prenom\nA;B\n", "f.xlsx")
