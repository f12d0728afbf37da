"""The BPF page, its drill-down, inputs form, filing, and the export downloads."""

from __future__ import annotations

import datetime
import html
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from bpf.computation import compute_bpf
from bpf.models import BpfFiling, BpfInputs
from funding.types import FundingType
from tests.bpf.conftest import build_worked_example
from tests.conftest import make_allocation, make_enrollment, make_session

pytestmark = pytest.mark.django_db

REPORT = reverse("bpf:report")


@pytest.fixture
def example(organization):
    organization.fiscal_year_start_month = 7
    organization.save()
    return build_worked_example(organization)


def drill_url(year: int, key: str) -> str:
    return reverse("bpf:drill", args=[year, key])


def test_anonymous_is_sent_to_login(client):
    response = client.get(REPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_trainer_is_refused_everything(trainer_client, example):
    assert trainer_client.get(REPORT).status_code == 403
    assert trainer_client.get(drill_url(2025, "C.e")).status_code == 403
    assert trainer_client.get(reverse("bpf:export", args=[2025, "pdf"])).status_code == 403
    assert trainer_client.get(reverse("bpf:export", args=[2025, "json"])).status_code == 403
    assert trainer_client.post(reverse("bpf:inputs", args=[2025]), {}).status_code == 403
    assert trainer_client.post(reverse("bpf:file", args=[2025])).status_code == 403
    assert not BpfFiling.objects.exists()


def test_other_organisation_sees_nothing_of_ours(other_admin_client, example):
    response = other_admin_client.get(REPORT)
    assert response.status_code == 200
    assert "Nothing to report yet" in response.text
    assert other_admin_client.get(drill_url(2025, "C.e")).status_code == 404
    for file_format in ("pdf", "xlsx", "csv", "json"):
        url = reverse("bpf:export", args=[2025, file_format])
        assert other_admin_client.get(url).status_code == 404
    assert other_admin_client.post(reverse("bpf:file", args=[2025])).status_code == 404
    assert other_admin_client.post(reverse("bpf:inputs", args=[2025]), {}).status_code == 404


def test_page_shows_the_sections_in_order_with_french_labels(admin_client, example):
    response = admin_client.get(REPORT, {"year": 2025})
    assert response.status_code == 200
    text = response.text
    titles = [
        "A — IDENTIFICATION DE L&#x27;ORGANISME DE FORMATION",
        "B — INFORMATIONS GÉNÉRALES",
        "C — BILAN FINANCIER HORS TAXES : ORIGINE DES PRODUITS",
        "D — BILAN FINANCIER HORS TAXES : CHARGES",
        "E — PERSONNES DISPENSANT DES HEURES DE FORMATION",
        "F-1 — TYPE DE STAGIAIRES",
        "F-2 — DONT ACTIVITÉ SOUS-TRAITÉE",
        "F-3 — OBJECTIF GÉNÉRAL",
        "F-4 — SPÉCIALITÉS DE FORMATION",
        "G — STAGIAIRES DONT LA FORMATION A ÉTÉ CONFIÉE",
        "H — PERSONNE AYANT LA QUALITÉ DE DIRIGEANT",
    ]
    positions = [text.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "du compte personnel de formation" in text
    assert 'data-copy="10469"' in text  # total of C
    assert 'data-copy="1100"' in text  # line e
    assert 'data-copy="186"' in text  # F totals
    assert "Cerfa n° 10443*17" in text
    assert "fiscal year from 01/07/2024 to 30/06/2025" in text
    assert 'data-check="unclassified_trainees"' in text
    assert "calendar days" in text  # the pro-rating rule is explained
    assert f'href="{drill_url(2025, "C.e")}"' in text
    assert f'hx-get="{drill_url(2025, "F1.a")}"' in text


def test_default_year_is_the_last_closed_one_and_years_newest_first(admin_client, example):
    response = admin_client.get(REPORT)
    years = response.context["years"]
    assert years == [2026, 2025, 2024]
    today = datetime.date.today()
    closed = example.organization.fiscal_year_of(today) - 1
    assert response.context["year"] == (closed if closed in years else 2026)


def test_previous_year_figures_beside_each_line(admin_client, example):
    response = admin_client.get(REPORT, {"year": 2026})
    sections = response.context["sections"]
    rows = {line.row.key: line.previous for line in sections.c}
    assert rows["C.e"] == 1100 and rows["C.total"] == 10469
    f1_rows = {line.row.key: line.previous for line in sections.f[0].lines}
    assert f1_rows["F1.total"] == (8, 186)
    # FY 2024 has no earlier year with data: no previous column.
    assert admin_client.get(REPORT, {"year": 2024}).context["previous"] is None


@pytest.mark.parametrize("learners", [5, 50])
def test_page_query_count_is_fixed(
    admin_client, organization, django_assert_max_num_queries, learners
):
    sessions = [
        make_session(
            organization, start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 3, 2)
        ),
        make_session(
            organization, start_date=datetime.date(2024, 12, 30), end_date=datetime.date(2025, 1, 2)
        ),
    ]
    for index in range(learners):
        enrollment = make_enrollment(sessions[index % 2])
        make_allocation(enrollment, funding_type=FundingType.CPF, amount="100.00")
    with django_assert_max_num_queries(22):
        response = admin_client.get(REPORT, {"year": 2025})
    assert response.status_code == 200


def test_drill_htmx_returns_the_rows_and_their_sum(admin_client, example):
    response = admin_client.get(drill_url(2025, "C.h"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    text = response.text
    # 2 000,00 + 1 000 × 8/15 + 1 234,56: the straddling session's share is shown with its days.
    assert "3 767,89 €" in text and "3 768" in text
    assert "533,33 €" in text and "(8/15 days)" in text
    assert "Sept" in text and "Dix" in text and "Deux" not in text


def test_drill_full_page_and_f1_rule(admin_client, example):
    response = admin_client.get(drill_url(2025, "F1.b"))
    assert "<html" in response.text
    assert "rule 1: the enrollment&#x27;s own override" in response.text
    assert "rule 5: the professional status at the time of the training" in response.text
    assert "Huit" in response.text and "Dix" in response.text


def test_drill_unknown_key_is_404(admin_client, example):
    assert admin_client.get(drill_url(2025, "C.zz")).status_code == 404
    assert admin_client.get(drill_url(2025, "F4.999")).status_code == 404
    assert admin_client.get(drill_url(2019, "C.e")).status_code == 404


def test_drill_rows_add_up_to_the_figure_before_rounding(admin_client, organization):
    session = make_session(
        organization, start_date=datetime.date(2025, 12, 29), end_date=datetime.date(2026, 1, 4)
    )
    for index in range(60):
        enrollment = make_enrollment(session)
        make_allocation(enrollment, amount=Decimal("100.01") + index)
    report = compute_bpf(organization, 2025)
    counted, hours = Decimal(0), Decimal(0)
    for page in (1, 2):
        response = admin_client.get(drill_url(2025, "C.e"), {"page": page})
        counted += sum(row.counted for row in response.context["rows"])
        response = admin_client.get(drill_url(2025, "F1.total"), {"page": page})
        hours += sum(row.hours for row in response.context["rows"])
    assert len(response.context["rows"]) == 10  # 60 rows, 50 per page
    assert abs(counted - report.c["e"].exact) < Decimal("1e-20")
    assert abs(hours - report.f1["total"].exact_hours) < Decimal("1e-20")
    assert report.c["e"].value == round(report.c["e"].exact)


def test_inputs_are_saved_per_year(admin_client, example, admin_user):
    response = admin_client.post(
        reverse("bpf:inputs", args=[2025]),
        {
            "turnover_share": "80",
            "total_costs": "9000",
            "trainer_salaries": "5000",
            "training_purchases": "1000",
            "own_trainers_count": "2",
            "own_trainers_hours": "300",
            "signatory_name": "Marie Curie",
            "signatory_title": "Gérante",
        },
    )
    assert response.status_code == 302
    inputs = BpfInputs.objects.get(organization=example.organization, fiscal_year=2025)
    assert (inputs.total_costs, inputs.turnover_share, inputs.updated_by) == (9000, 80, admin_user)
    report = compute_bpf(example.organization, 2025)
    assert "costs_missing" not in [check.code for check in report.checks]
    assert compute_bpf(example.organization, 2026).inputs.total_costs is None
    page = admin_client.get(REPORT, {"year": 2025}).text
    assert 'data-copy="Marie Curie"' in page


@pytest.mark.parametrize("language", ["fr", "en"])
def test_french_amounts_in_section_d_are_stored_as_typed(admin_client, example, language):
    """The bug of issue 13: "38 500,00" typed in section D was stored as 3 850 000 €."""
    response = admin_client.post(
        reverse("bpf:inputs", args=[2025]),
        {
            "turnover_share": "80,00",
            "total_costs": "38 500,00",
            "trainer_salaries": "20\u202f000",
            "training_purchases": "1\u00a0500,00 €",
            "own_trainers_count": "2",
            "own_trainers_hours": "1 300",
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302
    inputs = BpfInputs.objects.get(organization=example.organization, fiscal_year=2025)
    assert (inputs.total_costs, inputs.trainer_salaries, inputs.training_purchases) == (
        38500,
        20000,
        1500,
    )
    assert (inputs.turnover_share, inputs.own_trainers_hours) == (80, 1300)
    page = admin_client.get(REPORT, {"year": 2025}, HTTP_ACCEPT_LANGUAGE=language).text
    assert 'value="38 500"' in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("38 500,50", "38 500,50 has cents: enter whole euros, such as 38 500."),
        ("12,345,67", "12,345,67 is not a number: did you mean 12 345,67?"),
        ("38,500", "38,500: did you mean 38 500 or 38,5?"),
    ],
)
def test_section_d_refuses_cents_and_ambiguous_amounts(admin_client, example, typed, message):
    response = admin_client.post(
        reverse("bpf:inputs", args=[2025]), {"turnover_share": "80", "total_costs": typed}
    )
    assert response.status_code == 200
    assert html.escape(message) in response.text
    assert f'value="{typed}"' in response.text
    assert not BpfInputs.objects.filter(total_costs__isnull=False).exists()


def test_section_d_messages_in_french(admin_client, example):
    response = admin_client.post(
        reverse("bpf:inputs", args=[2025]),
        {"turnover_share": "80", "total_costs": "38 500,50"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "38 500,50 a des centimes" in html.unescape(response.text)


def test_invalid_inputs_keep_what_was_typed(admin_client, example):
    response = admin_client.post(
        reverse("bpf:inputs", args=[2025]),
        {"turnover_share": "0", "total_costs": "100", "trainer_salaries": "500"},
    )
    assert response.status_code == 200
    assert "At least 1 %" in response.text
    assert "cannot be less than trainer salaries" in response.text
    assert 'value="500"' in response.text
    assert not BpfInputs.objects.exists()


def test_mark_as_filed_then_data_change_shows_the_differences(admin_client, example, admin_user):
    response = admin_client.post(reverse("bpf:file", args=[2025]))
    assert response.status_code == 302
    filing = BpfFiling.objects.get()
    assert filing.filed_by == admin_user and filing.snapshot["report"]["C"]["total"] == 10469
    page = admin_client.get(REPORT, {"year": 2025})
    assert "have not changed since they were filed" in page.text
    # Someone approves more funding after filing.
    make_allocation(
        example.s1.enrollments.get(learner=example.learners["L4"]),
        funding_type=FundingType.CPF,
        amount="250.00",
    )
    page = admin_client.get(REPORT, {"year": 2025})
    differences = {
        d.label.split(" — ")[-1]: (d.filed, d.current) for d in page.context["differences"]
    }
    assert differences["e du compte personnel de formation"] == ("1 100", "1 350")
    assert "The data changed since filing" in page.text
    filed = admin_client.get(reverse("bpf:export", args=[2025, "json"]), {"filed": "1"})
    current = admin_client.get(reverse("bpf:export", args=[2025, "json"]))
    assert json.loads(filed.getvalue())["C"]["e"] == 1100
    assert json.loads(current.getvalue())["C"]["e"] == 1350


def test_filed_export_without_filing_is_404(admin_client, example):
    url = reverse("bpf:export", args=[2025, "csv"])
    assert admin_client.get(url, {"filed": "1"}).status_code == 404


def test_export_downloads_have_meaningful_names(admin_client, example, organization):
    for file_format in ("csv", "json"):
        response = admin_client.get(reverse("bpf:export", args=[2025, file_format]))
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert f'filename="bpf-{organization.slug}-2025.{file_format}"' in disposition
    assert admin_client.get(reverse("bpf:export", args=[2025, "doc"])).status_code == 404


def test_command_gives_the_figures_of_the_page(admin_client, example, organization):
    page = admin_client.get(REPORT, {"year": 2025})
    sections = page.context["sections"]
    on_page = {line.row.key: line.row.value for line in sections.c}
    for section in sections.f:
        on_page.update({line.row.key: line.row.value for line in section.lines})
    output = io.StringIO()
    call_command(
        "export_bpf",
        "--organization",
        organization.slug,
        "--year",
        "2025",
        "--format",
        "json",
        stdout=output,
    )
    data = json.loads(output.getvalue())
    for code, value in data["C"].items():
        assert on_page[f"C.{code}"] == value
    for key in ("a", "b", "c", "d", "e", "total"):
        figure = data["F1"][key]
        assert on_page[f"F1.{key}"] == (figure["learners"], figure["hours"])
    assert on_page["F2"] == (data["F2"]["learners"], data["F2"]["hours"]) == (1, 21)
    speciality = data["F4"]["specialities"][0]
    assert on_page["F4.326"] == (speciality["learners"], speciality["hours"]) == (4, 135)
