"""The report split into the form's sections once, in Python: the page and the PDF lay out the
same rows, and no row is lost or shown twice."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bpf import labels
from bpf.computation import compute_bpf
from bpf.pdf import pdf_html
from bpf.rows import flat_rows, form_sections
from tests.bpf.conftest import build_worked_example

pytestmark = pytest.mark.django_db


def _codes(sections) -> list[str]:
    """Every code the sections hold, in the order they are laid out."""
    computed = [line.row.key for line in sections.c if not line.row.heading]
    figures = [line.row.key for section in sections.f for line in section.lines]
    return [
        *(code for code, _label, _value in [*sections.a, *sections.b]),
        *computed,
        sections.turnover_share[0],
        *(code for code, _label, _value in sections.d),
        *(code for code, _label, _value, _unit in sections.e),
        *figures,
        *(line.row.key for line in sections.g),
        *(code for code, _label, _value in sections.h),
    ]


def test_sections_hold_every_line_of_the_form_once_in_its_order(worked_example):
    report = compute_bpf(worked_example.organization, 2025)
    sections = form_sections(report)
    # The exports' flat rows give a figure twice (learners, hours): one line of a section.
    form_order = dict.fromkeys(
        code.rpartition(".")[0] if code[0] in "FG" else code
        for code, _label, _value in flat_rows(report)
    )
    assert _codes(sections) == list(form_order)
    assert [section.name for section in sections.f] == ["F-1", "F-2", "F-3", "F-4"]
    for section in sections.f:
        assert {line.row.section for line in section.lines} == {section.key}
    assert [code for code, _label, _value in sections.b] == ["B.fiscal_year", "B.distance"]
    assert [(code, unit) for code, _label, _value, unit in sections.e] == [
        ("E.own.count", ""),
        ("E.own.hours", "h"),
        ("E.external.count", ""),
        ("E.external.hours", "h"),
    ]


def test_last_year_beside_each_computed_line_only_when_asked(worked_example):
    organization = worked_example.organization
    report = compute_bpf(organization, 2025)
    alone = form_sections(report)
    assert all(line.previous is None for line in [*alone.c, *alone.g])
    beside = form_sections(report, compute_bpf(organization, 2025))
    totals = {line.row.key: line.previous for line in beside.c}
    assert totals["C.total"] == report.c["total"].value


def test_page_and_pdf_lay_out_the_same_sections(admin_client, organization):
    organization.fiscal_year_start_month = 7
    organization.save()
    build_worked_example(organization)
    organization.bpf_inputs.create(fiscal_year=2025, own_trainers_count=2, own_trainers_hours=120)
    report = compute_bpf(organization, 2025)
    sections = form_sections(report)
    document = pdf_html(report)
    page = admin_client.get(reverse("bpf:report"), {"year": 2025}).text
    for section in sections.f:
        heading = f"<h3>{section.name} — {section.title}</h3>".replace("'", "&#x27;")
        assert heading in page and heading in document
    # Section B from the same rows in both: the fiscal year and the distance question.
    for _code, label, value in sections.b:
        assert label.replace("'", "&#x27;") in document and value in document
        assert value in page
    assert labels.DISTANCE_QUESTION.replace("'", "&#x27;") in page
    # Section E: the hours with their unit, the count of trainers without one.
    assert '<span class="figure">120</span>&nbsp;h' in page
    assert '<span class="figure">2</span>\n<button' in page
