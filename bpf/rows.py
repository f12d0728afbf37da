"""The report as the form's lines, in the form's order, with their French labels.

The page, the PDF, the XLSX "BPF" sheet and the CSV all list these rows, so that every output shows
the same lines in the same order. Each row has a stable `key` ("C.e", "F1.total", "F4.326") used
to put last year's figure and the filed figure beside it, and to drill into it. The page and the
PDF lay the rows out section by section: `form_sections` splits them once, here, and their
templates only render what it gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from bpf import labels
from bpf.report import Amount, BpfReport, Figure


@dataclass(frozen=True)
class Row:
    section: str
    key: str
    code: str
    label: str
    amount: Amount | None = None
    figure: Figure | None = None
    total: bool = False
    indent: int = 0
    # A heading row carries only its label (e.g. "Produits provenant :").
    heading: bool = False

    @property
    def value(self) -> int | tuple[int, int] | None:
        if self.amount is not None:
            return self.amount.value
        if self.figure is not None:
            return (self.figure.learners, self.figure.hours)
        return None


# (code, label, value) of a line that is not computed: sections A and B, and what was typed.
TextRow = tuple[str, str, str]
InputRow = tuple[str, str, int | str | None]
# Section E's rows carry their unit too: a count of trainers, or hours ("h").
UnitRow = tuple[str, str, int | str | None, str]


def section_c_rows(report: BpfReport) -> list[Row]:
    form = report.form
    rows = [Row("C", "C.head", "", labels.C_HEAD, heading=True)]

    def line(code: str, indent: int = 0, total: bool = False) -> Row:
        return Row(
            "C",
            f"C.{code}",
            code if code != "total" else "",
            labels.c_label(code, form),
            amount=report.c[code],
            indent=indent,
            total=total,
        )

    rows.append(line("1"))
    rows.append(Row("C", "C.opco_head", "", labels.C_OPCO_HEAD, heading=True))
    rows.extend(line(code, indent=1) for code in labels.C_OPCO_LINES)
    rows.append(line("2", total=True))
    rows.append(line("3"))
    rows.append(Row("C", "C.public_head", "", labels.C_PUBLIC_HEAD, heading=True))
    rows.extend(line(code, indent=1) for code in labels.C_PUBLIC_LINES)
    rows.extend(line(code) for code in ("9", "10", "11"))
    rows.append(line("total", total=True))
    return rows


def section_f_rows(report: BpfReport) -> list[Row]:
    rows: list[Row] = []
    for key in ("a", "b", "c", "d", "e"):
        rows.append(Row("F1", f"F1.{key}", key, labels.F1_LABELS[key], figure=report.f1[key]))
    if report.f1["unclassified"].learners:
        rows.append(
            Row(
                "F1",
                "F1.unclassified",
                "",
                labels.F1_LABELS["unclassified"],
                figure=report.f1["unclassified"],
            )
        )
    rows.append(
        Row(
            "F1",
            "F1.total",
            labels.TOTAL_CODES["F1"],
            labels.F1_LABELS["total"],
            figure=report.f1["total"],
            total=True,
        )
    )
    if report.form == labels.FORM_16:
        rows.append(
            Row(
                "F1",
                "F1.distance",
                "",
                labels.F1_DISTANCE_16,
                figure=report.f1_distance,
                indent=1,
            )
        )
    rows.append(Row("F2", "F2", "", labels.F2_LABEL, figure=report.f2))
    for key in ("a", *labels.F3_A_SUBLINES, "b", "c", "d", "e", "f"):
        rows.append(
            Row(
                "F3",
                f"F3.{key}",
                key if len(key) == 1 else "",
                labels.F3_LABELS[key],
                figure=report.f3[key],
                indent=0 if len(key) == 1 else 1,
            )
        )
    if report.f3["unclassified"].learners:
        rows.append(
            Row(
                "F3",
                "F3.unclassified",
                "",
                labels.F3_LABELS["unclassified"],
                figure=report.f3["unclassified"],
            )
        )
    rows.append(
        Row(
            "F3",
            "F3.total",
            labels.TOTAL_CODES["F3"],
            labels.F3_LABELS["total"],
            figure=report.f3["total"],
            total=True,
        )
    )
    for speciality in report.f4:
        rows.append(
            Row(
                "F4",
                f"F4.{speciality.code}",
                speciality.code,
                speciality.label,
                figure=speciality.figure,
            )
        )
    rows.append(Row("F4", "F4.other", "", labels.F4_OTHER_LABEL, figure=report.f4_other))
    if report.f4_unclassified.learners:
        rows.append(
            Row(
                "F4",
                "F4.unclassified",
                "",
                labels.F4_UNCLASSIFIED_LABEL,
                figure=report.f4_unclassified,
            )
        )
    rows.append(
        Row(
            "F4",
            "F4.total",
            labels.TOTAL_CODES["F4"],
            labels.F4_TOTAL_LABEL,
            figure=report.f4_total,
            total=True,
        )
    )
    return rows


def section_g_rows(report: BpfReport) -> list[Row]:
    return [Row("G", "G", "", labels.G_LABEL, figure=report.g)]


def figure_rows(report: BpfReport) -> list[Row]:
    """Every computed line: C, F-1 to F-4, G."""
    return [*section_c_rows(report), *section_f_rows(report), *section_g_rows(report)]


def values_by_key(report: BpfReport) -> dict[str, int | tuple[int, int]]:
    # Only headings have no value.
    return {row.key: value for row in figure_rows(report) if (value := row.value) is not None}


def input_rows(report: BpfReport) -> list[InputRow]:
    """(code, label, value) of what the administrator typed: turnover share, D, E, H."""
    inputs = report.inputs
    return [
        ("C.turnover_share", labels.TURNOVER_LABEL, inputs.turnover_share),
        ("D.total_costs", labels.D_LABELS["total_costs"], inputs.total_costs),
        ("D.trainer_salaries", labels.D_LABELS["trainer_salaries"], inputs.trainer_salaries),
        (
            "D.training_purchases",
            labels.D_LABELS["training_purchases"],
            inputs.training_purchases,
        ),
        (
            "E.own.count",
            f"{labels.E_LABELS['own']} — {labels.E_COLUMNS[0]}",
            inputs.own_trainers_count,
        ),
        (
            "E.own.hours",
            f"{labels.E_LABELS['own']} — {labels.E_COLUMNS[1]}",
            inputs.own_trainers_hours,
        ),
        (
            "E.external.count",
            f"{labels.E_LABELS['external']} — {labels.E_COLUMNS[0]}",
            inputs.external_trainers_count,
        ),
        (
            "E.external.hours",
            f"{labels.E_LABELS['external']} — {labels.E_COLUMNS[1]}",
            inputs.external_trainers_hours,
        ),
        ("H.signatory_name", labels.H_LABELS["signatory_name"], inputs.signatory_name),
        ("H.signatory_title", labels.H_LABELS["signatory_title"], inputs.signatory_title),
        ("H.signature_place", labels.H_LABELS["signature_place"], inputs.signature_place),
        (
            "H.signature_date",
            labels.H_LABELS["signature_date"],
            f"{inputs.signature_date:%d/%m/%Y}" if inputs.signature_date else "",
        ),
    ]


def identity_rows(report: BpfReport) -> list[TextRow]:
    """(code, label, value) of sections A and B."""
    identity = report.organization
    values = {
        "nda": identity.nda,
        "siret": identity.siret,
        "naf_code": identity.naf_code,
        "legal_form": identity.legal_form,
        "name": identity.name,
        "address": identity.full_address,
        "phone": identity.phone,
        "email": identity.email,
    }
    rows = [(f"A.{key}", labels.IDENTITY_LABELS[key], values[key]) for key in values]
    # The question follows the address on the form.
    rows.insert(
        [code for code, _label, _value in rows].index("A.address") + 1,
        ("A.address_public", labels.ADDRESS_PUBLIC_QUESTION, _yes_no(identity.address_public)),
    )
    rows.append(
        (
            "B.fiscal_year",
            labels.FISCAL_YEAR_LABEL,
            f"du {report.start:%d/%m/%Y} au {report.end:%d/%m/%Y}",
        )
    )
    # The *16 form has no distance question in section B (its F-1 counts distance learners).
    if report.form != labels.FORM_16:
        rows.append(("B.distance", labels.DISTANCE_QUESTION, _yes_no(report.distance)))
    return rows


def _yes_no(answer: bool | None) -> str:
    if answer is None:
        return ""
    return labels.YES if answer else labels.NO


def flat_rows(report: BpfReport) -> list[InputRow]:
    """Every line as (code, label, value) in form order: A, B, C, D, E, F, G, H, as the exports
    write them (labels without their leading "- "). Figures of F and G give two rows, learners
    then hours (the form's two columns)."""
    return [(code, labels.export_label(label), value) for code, label, value in _form_rows(report)]


def _form_rows(report: BpfReport) -> list[InputRow]:
    rows: list[InputRow] = [*identity_rows(report)]
    inputs = input_rows(report)
    for row in section_c_rows(report):
        if row.amount is not None:  # every line but the headings
            rows.append((row.key, row.label, row.amount.value))
    rows.extend(row for row in inputs if not row[0].startswith("H."))
    for row in [*section_f_rows(report), *section_g_rows(report)]:
        label, figure = row.label, row.figure
        assert figure is not None  # every row of F and G is a figure
        rows.append((f"{row.key}.learners", f"{label} — {labels.F_COLUMNS[0]}", figure.learners))
        rows.append((f"{row.key}.hours", f"{label} — {labels.F_COLUMNS[1]}", figure.hours))
    rows.extend(row for row in inputs if row[0].startswith("H."))
    return rows


@dataclass(frozen=True)
class Line:
    """A computed line as laid out: its row and last year's figure beside it (None without
    last year, and always in the PDF)."""

    row: Row
    previous: int | tuple[int, int] | None = None


@dataclass(frozen=True)
class FigureSection:
    """F-1 to F-4: each its own table under section F."""

    key: str  # "F1"
    name: str  # "F-1", as the form numbers it
    title: str
    lines: list[Line]


@dataclass(frozen=True)
class FormSections:
    """The report split into the form's sections, A to H, for the page and the PDF."""

    a: list[TextRow]
    b: list[TextRow]
    c: list[Line]
    turnover_share: InputRow
    d: list[InputRow]
    e: list[UnitRow]
    f: list[FigureSection]
    g: list[Line]
    h: list[InputRow]


def form_sections(report: BpfReport, previous: BpfReport | None = None) -> FormSections:
    """Every row of the report in its section, with `previous`'s figure beside each computed
    line when given (the page's last-year column)."""
    previous_values = values_by_key(previous) if previous is not None else {}

    def lines(rows: list[Row]) -> list[Line]:
        return [Line(row, previous_values.get(row.key)) for row in rows]

    identity = identity_rows(report)
    inputs = input_rows(report)
    f_rows = section_f_rows(report)
    titles = labels.section_titles(report.form)
    return FormSections(
        a=[row for row in identity if row[0].startswith("A.")],
        b=[row for row in identity if row[0].startswith("B.")],
        c=lines(section_c_rows(report)),
        turnover_share=next(row for row in inputs if row[0] == "C.turnover_share"),
        d=[row for row in inputs if row[0].startswith("D.")],
        e=[
            (code, label, value, "h" if code.endswith(".hours") else "")
            for code, label, value in inputs
            if code.startswith("E.")
        ],
        f=[
            FigureSection(
                key,
                f"{key[0]}-{key[1:]}",
                titles[key],
                lines([row for row in f_rows if row.section == key]),
            )
            for key in ("F1", "F2", "F3", "F4")
        ],
        g=lines(section_g_rows(report)),
        h=[row for row in inputs if row[0].startswith("H.")],
    )
