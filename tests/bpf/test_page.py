"""The BPF page used every day: a figure's drill-down opens under its line with a way back, the
typed figures are edited in their sections, numbers read the French way, counts agree."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from bpf.models import BpfInputs
from funding.types import FundingType
from tests.bpf.conftest import build_worked_example
from tests.conftest import make_allocation, make_enrollment, make_session

pytestmark = pytest.mark.django_db

REPORT = reverse("bpf:report")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def example(organization):
    organization.fiscal_year_start_month = 7
    organization.save()
    return build_worked_example(organization)


def drill_url(year: int, key: str) -> str:
    return reverse("bpf:drill", args=[year, key])


def section(text: str, letter: str) -> str:
    """The page's text of one section of the form, up to the next one."""
    start = text.index(f'id="section-{letter}"')
    following = [
        text.index(f'id="section-{other}"', start)
        for other in "ABCDEFGH"
        if f'id="section-{other}"' in text[start + 1 :]
    ]
    return text[start : min(following, default=len(text))] if following else text[start:]


def test_figures_open_their_rows_under_their_line(admin_client, example):
    text = admin_client.get(REPORT, {"year": 2025}).text
    # Each line can be come back to; its figure's rows are swapped in after it.
    assert 'id="line-C.e"' in text and 'id="line-F1.total"' in text and 'id="line-G"' in text
    link = re.search(r'<a class="figure" href="([^"]+)" hx-get="[^"]+" ([^>]*)>1 100</a>', text)
    assert link and link.group(1) == drill_url(2025, "C.e")
    assert 'hx-target="closest tr"' in link.group(2) and 'hx-swap="afterend"' in link.group(2)
    # No panel at the top of the page any more.
    assert 'id="drill"' not in text


def test_htmx_drill_is_a_row_with_close_and_back_to_the_line(admin_client, example):
    text = admin_client.get(drill_url(2025, "C.h"), headers=HTMX).text
    assert text.lstrip().startswith('<tr class="drill-row" id="drill-row" data-drill-key="C.h">')
    assert '<td colspan="9">' in text and 'id="drill-panel"' in text
    assert "data-drill-close" in text and ">Close<" in text
    assert 'href="#line-C.h"' in text and "Back to the line" in text
    assert "<html" not in text


def test_drill_page_without_javascript_links_back_to_the_line(admin_client, example):
    text = admin_client.get(drill_url(2025, "F1.b")).text
    back = f"{REPORT}?year=2025#line-F1.b"
    assert text.count(f'href="{back}"') == 2  # above the rows and below them
    assert "data-drill-close" not in text


def test_drill_pagination_replaces_the_row(admin_client, organization):
    session = make_session(organization)
    for _ in range(51):
        make_allocation(make_enrollment(session), funding_type=FundingType.CPF, amount="10.00")
    year = organization.fiscal_year_of(session.start_date)
    text = admin_client.get(drill_url(year, "C.e"), headers=HTMX).text
    assert 'hx-target="closest tr.drill-row" hx-swap="outerHTML"' in text
    assert "Page 1 of 2 (51 rows)" in text


@pytest.mark.parametrize("language", ["en", "fr"])
def test_typed_figures_are_edited_in_their_sections(admin_client, example, language):
    text = admin_client.get(REPORT, {"year": 2025}, HTTP_ACCEPT_LANGUAGE=language).text
    assert '<form id="bpf-inputs" method="post"' in text
    for letter, names in {
        "C": ["turnover_share"],
        "D": ["total_costs", "trainer_salaries", "training_purchases"],
        "E": ["own_trainers_count", "external_trainers_hours"],
        "H": ["signatory_name", "signatory_title", "signature_place", "signature_date"],
    }.items():
        part = section(text, letter)
        for name in names:
            field = re.search(rf'<input[^>]* name="{name}"[^>]*>', part)
            assert field, (letter, name)
            assert 'form="bpf-inputs"' in field.group(0)
        assert 'form="bpf-inputs" name="section" value="' + letter + '"' in part
    assert 'name="total_costs"' not in section(text, "C")
    assert 'id="inputs"' not in text


def test_saving_goes_back_to_the_section(admin_client, example):
    url = reverse("bpf:inputs", args=[2025])
    response = admin_client.post(url, {"own_trainers_count": "3", "section": "E"})
    assert response["Location"].endswith("?year=2025#section-E")
    response = admin_client.post(url, {"own_trainers_count": "3", "section": "<x>"})
    assert response["Location"].endswith("?year=2025#section-D")
    # A refused figure is shown in its section, next to its field.
    response = admin_client.post(url, {"total_costs": "12,5", "section": "D"})
    assert response.status_code == 200
    part = section(response.text, "D")
    assert 'class="field has-error' in part and "<details" in part and " open>" in part


@pytest.mark.parametrize("language", ["en", "fr"])
def test_numbers_read_the_french_way_with_their_unit(admin_client, example, language):
    BpfInputs.objects.create(
        organization=example.organization,
        fiscal_year=2025,
        total_costs=38500,
        own_trainers_hours=1635,
        turnover_share=92,
    )
    text = admin_client.get(REPORT, {"year": 2025}, HTTP_ACCEPT_LANGUAGE=language).text
    assert ">10 469</a>&nbsp;€" in text  # C total
    assert ">186</a>&nbsp;h" in text  # F-1 total hours
    assert '<span class="figure">38 500</span>&nbsp;€' in section(text, "D")
    assert '<span class="figure">1 635</span>&nbsp;h' in section(text, "E")
    assert '<span class="figure">92</span>&nbsp;%' in section(text, "C")
    # Copied as the ministry's site wants it: digits only.
    assert 'data-copy="38500"' in text and 'data-copy="10469"' in text


@pytest.mark.parametrize(
    ("language", "singular", "doubled"),
    [
        ("en", "1 learner has no F-1 line", "1</strong> 1 learner"),
        ("fr", "1 apprenant n’a pas de ligne F-1", "1</strong> 1 apprenant"),
    ],
)
def test_counts_are_said_once_and_agree_in_number(
    admin_client, example, language, singular, doubled
):
    text = admin_client.get(REPORT, {"year": 2025}, HTTP_ACCEPT_LANGUAGE=language).text
    assert singular in text and doubled not in text
    checks = text[text.index('id="checks"') : text.index("</section>", text.index('id="checks"'))]
    assert not re.search(r"<strong>\d+</strong> \d", checks)
    # One learner in G: the drill-down says "1 learner", not "1 learners".
    drill = admin_client.get(drill_url(2025, "G"), HTTP_ACCEPT_LANGUAGE=language).text
    if language == "en":
        assert "<strong>1</strong> learner;" in drill and "figure <strong>35 h</strong>" in drill
    else:
        assert "<strong>1</strong> stagiaire ;" in drill.replace("\xa0", " ")
    many = admin_client.get(drill_url(2025, "F1.total"), HTTP_ACCEPT_LANGUAGE=language).text
    assert (
        "<strong>8</strong> learners;" if language == "en" else "<strong>8</strong> stagiaires"
    ) in many.replace("\xa0", " ")
