"""Filing you can defend: an open year asks to confirm, every snapshot stays downloadable, "changed
since filing" covers every line of the form, and changes to the typed figures are recorded."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bpf.models import BpfFiling, BpfInputs
from bpf.services import filing_create
from certeef.history import changes_of
from tests.bpf.conftest import build_worked_example
from tests.conftest import make_enrollment, make_session

pytestmark = pytest.mark.django_db

REPORT = reverse("bpf:report")


@pytest.fixture
def example(organization):
    organization.fiscal_year_start_month = 7
    organization.save()
    return build_worked_example(organization)


@pytest.fixture
def open_year(organization) -> int:
    """A fiscal year with data that has not ended: it holds today."""
    today = timezone.localdate()
    make_enrollment(make_session(organization, start_date=today, end_date=today))
    return organization.fiscal_year_of(today)


def download(client, year: int, file_format: str, **query) -> bytes:
    response = client.get(reverse("bpf:export", args=[year, file_format]), query)
    assert response.status_code == 200, (file_format, query)
    return b"".join(response.streaming_content)


def test_filing_an_open_year_asks_to_confirm(admin_client, open_year):
    page = admin_client.get(REPORT, {"year": open_year}).text
    assert "has not ended" in page and "freezes partial figures" in page
    response = admin_client.post(reverse("bpf:file", args=[open_year]))
    assert response.status_code == 200
    assert "has not ended" in response.text and "File anyway" in response.text
    assert 'name="confirm_open_year" value="1"' in response.text
    assert not BpfFiling.objects.exists()
    response = admin_client.post(reverse("bpf:file", args=[open_year]), {"confirm_open_year": "1"})
    assert response.status_code == 302
    assert BpfFiling.objects.get().fiscal_year == open_year


def test_filing_an_open_year_asks_to_confirm_in_french(admin_client, open_year, french):
    response = admin_client.post(reverse("bpf:file", args=[open_year]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "n’est pas terminé" in response.text
    assert "Déposer quand même" in response.text


def test_a_closed_year_is_filed_without_asking(admin_client, example):
    page = admin_client.get(REPORT, {"year": 2025}).text
    assert "has not ended" not in page
    assert admin_client.post(reverse("bpf:file", args=[2025])).status_code == 302
    assert BpfFiling.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "before", "filed_on", "again"),
    [
        ("en", "Mark as filed", "Filed on", "File again (new snapshot)"),
        ("fr", "Marquer comme déposé", "Déposé le", "Déposer à nouveau (nouvel instantané)"),
    ],
)
def test_after_filing_the_page_says_when_and_by_whom_and_offers_to_file_again(
    admin_client, example, admin_user, language, before, filed_on, again
):
    admin_user.first_name, admin_user.last_name = "Camille", "Durand"
    admin_user.save()
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    page = admin_client.get(REPORT, {"year": 2025}, **headers).text
    assert before in page and again not in page
    filing_create(organization=example.organization, year=2025, filed_by=admin_user)
    page = admin_client.get(REPORT, {"year": 2025}, **headers).text
    assert filed_on in page and "Camille Durand" in page
    assert again in page


def test_every_snapshot_stays_downloadable_in_all_four_formats(
    admin_client, example, admin_user, other_organization
):
    org = example.organization
    first = filing_create(organization=org, year=2025, filed_by=admin_user)
    inputs = BpfInputs.objects.create(organization=org, fiscal_year=2025, total_costs=9000)
    second = filing_create(organization=org, year=2025, filed_by=admin_user)
    page = admin_client.get(REPORT, {"year": 2025}).text
    for filing in (first, second):
        for file_format in ("pdf", "xlsx", "csv", "json"):
            url = reverse("bpf:export", args=[2025, file_format]) + f"?filing={filing.pk}"
            assert f'href="{url}"' in page
            assert download(admin_client, 2025, file_format, filing=filing.pk)
    first_json = json.loads(download(admin_client, 2025, "json", filing=first.pk))
    second_json = json.loads(download(admin_client, 2025, "json", filing=second.pk))
    assert first_json["D"]["total_costs"] is None
    assert second_json["D"]["total_costs"] == inputs.total_costs
    # Another organisation's filing, another year's, or nonsense: not found.
    stranger = BpfFiling.objects.create(
        organization=other_organization, fiscal_year=2025, snapshot=first.snapshot
    )
    url = reverse("bpf:export", args=[2025, "json"])
    assert admin_client.get(url, {"filing": stranger.pk}).status_code == 404
    assert (
        admin_client.get(
            reverse("bpf:export", args=[2024, "json"]), {"filing": first.pk}
        ).status_code
        == 404
    )
    assert admin_client.get(url, {"filing": "x"}).status_code == 404


def differences(client) -> dict[str, tuple[str, str]]:
    page = client.get(REPORT, {"year": 2025})
    return {d.label: (d.filed, d.current) for d in page.context["differences"]}


def test_changed_since_filing_covers_every_section(admin_client, example, admin_user):
    org = example.organization
    filing_create(organization=org, year=2025, filed_by=admin_user)
    assert differences(admin_client) == {}
    # A (the organisation's settings), D, E, H and the share of turnover change after filing.
    org.phone = "04 00 00 00 00"
    org.address_public = True
    org.save()
    BpfInputs.objects.create(
        organization=org,
        fiscal_year=2025,
        total_costs=51400,
        external_trainers_count=2,
        turnover_share=90,
        signatory_name="Camille Durand",
    )
    changed = differences(admin_client)
    expected = {
        "IDENTIFICATION DE L'ORGANISME DE FORMATION — Téléphone": ("—", "04 00 00 00 00"),
        "IDENTIFICATION DE L'ORGANISME DE FORMATION — Acceptez-vous que cette adresse soit "
        "rendue publique": ("—", "Oui"),
        "BILAN FINANCIER HORS TAXES : CHARGES DE L'ORGANISME — Total des charges de "
        "l'organisme liées à l'activité de formation": ("—", "51 400"),
        "PERSONNES DISPENSANT DES HEURES DE FORMATION — Personnes extérieures à votre "
        "organisme dispensant des heures de formation dans le cadre de contrats de "
        "sous-traitance — Nombre": ("—", "2"),
        "BILAN FINANCIER HORS TAXES : ORIGINE DES PRODUITS DE L'ORGANISME — Part du chiffre "
        "d'affaires global réalisée dans le domaine de la formation professionnelle (en %)": (
            "—",
            "90",
        ),
        "PERSONNE AYANT LA QUALITÉ DE DIRIGEANT — Nom et prénom": ("—", "Camille Durand"),
    }
    assert changed == expected
    page = admin_client.get(REPORT, {"year": 2025}).text
    assert "6 lines differ" in page


def test_changed_since_filing_shows_figures_of_c_and_f(admin_client, example, admin_user):
    org = example.organization
    filing_create(organization=org, year=2025, filed_by=admin_user)
    make_enrollment(
        example.s1,
        hours_attended=7,
    )
    changed = differences(admin_client)
    assert any(
        label.endswith("TOTAL (a + b + c + d + e) — Nombre de stagiaires ou d'apprentis")
        for label in changed
    )


def shown(changes) -> list[tuple[object, str, str, str]]:
    """What a history lists of each change: who, which field, before → after."""
    return [(change.by, change.field, change.before, change.after) for change in changes]


def test_changes_to_the_typed_figures_are_recorded(admin_client, example, admin_user):
    url = reverse("bpf:inputs", args=[2025])
    admin_client.post(url, {"total_costs": "51 400", "turnover_share": "92"})
    inputs = BpfInputs.objects.get(organization=example.organization, fiscal_year=2025)
    first = changes_of(inputs)
    assert shown(first) == [
        (admin_user, "total costs of the training activity (€)", "—", "51400"),
        (admin_user, "share of turnover from training (%)", "—", "92"),
    ]
    # Saving the same figures again records nothing.
    admin_client.post(url, {"total_costs": "51 400", "turnover_share": "92"})
    assert inputs.history.count() == 1 and changes_of(inputs) == first
    filing_create(organization=example.organization, year=2025, filed_by=admin_user)
    page = admin_client.get(REPORT, {"year": 2025}).text
    assert "Typed figures changed since filing" not in page
    admin_client.post(
        url,
        {"total_costs": "52 000", "turnover_share": "92", "signature_date": "2026-01-15"},
    )
    last = changes_of(inputs)[:2]
    assert shown(last) == [
        (admin_user, "signed on (date)", "—", "15/01/2026"),
        (admin_user, "total costs of the training activity (€)", "51400", "52000"),
    ]
    response = admin_client.get(REPORT, {"year": 2025})
    assert response.context["input_changes"] == last
    assert "Typed figures changed since filing" in response.text
    assert "<td>51400</td>\n        <td>52000</td>" in response.text
    assert last[0].at > BpfFiling.objects.get().filed_at >= first[0].at


@pytest.mark.parametrize("filings", [1, 5])
def test_a_filed_page_has_a_fixed_query_count(
    admin_client, example, admin_user, django_assert_max_num_queries, filings
):
    url = reverse("bpf:inputs", args=[2025])
    for index in range(filings):
        filing_create(organization=example.organization, year=2025, filed_by=admin_user)
        admin_client.post(url, {"total_costs": str(1000 + index)})
    with django_assert_max_num_queries(24):
        response = admin_client.get(REPORT, {"year": 2025})
    assert len(response.context["filings"]) == filings
    assert len(response.context["input_changes"]) == 1  # the one after the last filing


def test_changes_to_the_organisation_settings_are_recorded_and_shown_after_filing(
    admin_client, example, admin_user
):
    org = example.organization
    url = reverse("organization_settings")
    data = {
        "name": org.name,
        "fiscal_year_start_month": 7,
        "fiscal_year_start_day": 1,
    }
    records, created = org.history.count(), changes_of(org)
    admin_client.post(url, data)
    # Nothing changed, nothing recorded.
    assert org.history.count() == records and changes_of(org) == created
    filing_create(organization=org, year=2025, filed_by=admin_user)
    admin_client.post(url, {**data, "phone": "04 78 00 00 00", "address_public": "true"})
    changes = changes_of(org)
    assert changes[2:] == created
    assert shown(changes[:2]) == [
        (admin_user, "address may be made public (BPF section A)", "—", "Yes"),
        (admin_user, "phone", "—", "04 78 00 00 00"),
    ]
    response = admin_client.get(REPORT, {"year": 2025})
    assert response.context["settings_changes"] == changes[:2]
    assert "Organisation settings changed since filing" in response.text
    assert "<td>phone</td>\n        <td>—</td>\n        <td>04 78 00 00 00</td>" in response.text
    french = admin_client.get(REPORT, {"year": 2025}, HTTP_ACCEPT_LANGUAGE="fr").text
    assert "Paramètres de l’organisme modifiés depuis le dépôt" in french
    assert "<td>—</td>\n        <td>Oui</td>" in french
    # Shown where they are made too.
    settings_page = admin_client.get(url)
    assert settings_page.context["history"] == changes
    assert "<td>04 78 00 00 00</td>" in settings_page.text


def test_the_command_exports_any_snapshot_by_its_number(example, admin_user, other_organization):
    org = example.organization
    first = filing_create(organization=org, year=2025, filed_by=admin_user)
    BpfInputs.objects.create(organization=org, fiscal_year=2025, total_costs=9000)
    filing_create(organization=org, year=2025, filed_by=admin_user)

    def run(*args) -> dict:
        output = io.StringIO()
        call_command(
            "export_bpf",
            *("--organization", org.slug, "--year", "2025", "--format", "json", *args),
            stdout=output,
        )
        return json.loads(output.getvalue())

    assert run("--filing", str(first.pk))["D"]["total_costs"] is None
    assert run("--filed")["D"]["total_costs"] == 9000
    stranger = BpfFiling.objects.create(
        organization=other_organization, fiscal_year=2025, snapshot=first.snapshot
    )
    with pytest.raises(CommandError, match="no filed snapshot number"):
        run("--filing", str(stranger.pk))
