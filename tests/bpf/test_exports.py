"""JSON and CSV exports, and the export_bpf command."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from bpf.computation import compute_bpf
from bpf.exports import export
from bpf.files import neutralise
from bpf.models import BpfFiling
from bpf.snapshots import snapshot_of
from training.changes import refresh_sessions

pytestmark = pytest.mark.django_db


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("export_bpf", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_shape_of_bpf_md(worked_example):
    data = json.loads(export(compute_bpf(worked_example.organization, 2025), "json").content)
    assert data["form"] == "10443*17"
    assert data["organization"] == {"name": "Atelier Juillet", "siret": "", "nda": ""}
    assert data["fiscal_year"] == {"label": 2025, "start": "2024-07-01", "end": "2025-06-30"}
    assert data["C"]["1"] == 501 and data["C"]["total"] == 10469
    assert list(data["C"]) == [
        *("1", "a", "b", "c", "d", "e", "f", "g", "h", "2"),
        *("3", "4", "5", "6", "7", "8", "9", "10", "11", "total"),
    ]
    assert data["F1"]["total"] == {"learners": 8, "hours": 186}
    assert data["F1"]["unclassified"] == {"learners": 1, "hours": 35}
    assert data["F2"] == {"learners": 1, "hours": 21}
    assert data["F3"]["a_5"] == {"learners": 4, "hours": 135}
    assert data["F4"]["specialities"][0] == {
        "code": "326",
        "label": "Informatique, traitement de l'information, réseaux de transmission des données",
        "learners": 4,
        "hours": 135,
    }
    assert data["F4"]["other"] == {"learners": 0, "hours": 0}
    assert data["F4"]["total"] == {"learners": 8, "hours": 186}
    assert data["G"] == {"learners": 1, "hours": 35}
    assert data["D"] == {"total_costs": None, "trainer_salaries": None, "training_purchases": None}
    assert data["E"]["own"] == {"count": None, "hours": None}
    assert data["turnover_share"] is None
    checks = {check["code"]: check for check in data["checks"]}
    assert {key: value for key, value in checks["overfunded"].items() if key != "message"} == {
        "code": "overfunded",
        "severity": "warning",
        "count": 2,
    }
    # The checks of issue 12 appear in the same list, with the same keys.
    assert {key for key, value in checks["cancelled_funded"].items()} == {
        "code",
        "severity",
        "count",
        "message",
    }
    assert checks["turnover_share_missing"]["count"] == 1
    assert data["filed"] is None


def test_csv_is_utf8_with_bom_semicolons_in_form_order(worked_example):
    content = export(compute_bpf(worked_example.organization, 2025), "csv").content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["code", "label", "value"]
    values = {row[0]: row[2] for row in rows[1:]}
    assert values["C.1"] == "501" and values["C.total"] == "10469"
    assert values["F1.a.learners"] == "2" and values["F1.a.hours"] == "46"
    assert values["G.hours"] == "35"
    assert values["B.distance"] == "Oui"
    codes = [row[0] for row in rows]
    assert codes.index("C.total") < codes.index("D.total_costs") < codes.index("F1.a.learners")
    assert codes.index("F1.total.hours") < codes.index("F3.a.learners") < codes.index("G.hours")
    # The form's labels without their leading "- ": no spreadsheet reads them as formulas.
    labels = {row[0]: row[1] for row in rows}
    assert labels["C.1"] == "des entreprises pour la formation de leurs salariés"


def test_neutralise_formulas():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("+33 1 23") == "'+33 1 23"
    assert neutralise("@SUM") == "'@SUM"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("Dupont") == "Dupont"
    assert neutralise(12) == 12


def test_command_json_equals_the_computation(worked_example):
    output = run_command("--organization", "atelier-juillet", "--year", "2025", "--format", "json")
    data = json.loads(output)
    report = compute_bpf(worked_example.organization, 2025)
    assert data["C"] == {code: amount.value for code, amount in report.c.items()}
    assert data["F1"]["total"] == {"learners": 8, "hours": 186}


def test_command_writes_csv_to_output(worked_example, tmp_path):
    target = tmp_path / "out.csv"
    run_command(
        "--organization",
        "atelier-juillet",
        "--year",
        "2025",
        "--format",
        "csv",
        "--output",
        str(target),
    )
    assert "C.total;TOTAL" in target.read_bytes().decode("utf-8-sig")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--organization", "nobody", "--year", "2025", "--format", "json"],
            "Unknown organisation",
        ),
        (["--organization", "atelier-juillet", "--year", "2019", "--format", "json"], "No data"),
        (
            ["--organization", "atelier-juillet", "--year", "2025", "--format", "doc"],
            "invalid choice",
        ),
        (
            ["--organization", "atelier-juillet", "--year", "2025", "--format", "json", "--filed"],
            "has not been marked as filed",
        ),
    ],
)
def test_command_errors(worked_example, args, message):
    with pytest.raises(CommandError, match=message):
        run_command(*args)


def test_command_filed_exports_the_snapshot(worked_example, admin_user):
    org = worked_example.organization
    report = compute_bpf(org, 2025)
    BpfFiling.objects.create(
        organization=org, fiscal_year=2025, snapshot=snapshot_of(report), filed_by=admin_user
    )
    # The data change after filing: the filed export keeps the filed figures.
    worked_example.s1.allocations.filter(funding_type="employer").update(approved_amount=900)
    refresh_sessions([worked_example.s1.pk])
    filed = json.loads(
        run_command(
            "--organization", "atelier-juillet", "--year", "2025", "--format", "json", "--filed"
        )
    )
    current = json.loads(
        run_command("--organization", "atelier-juillet", "--year", "2025", "--format", "json")
    )
    assert filed["C"]["1"] == 501 and current["C"]["1"] == 900
    assert filed["filed"]["by"] == "admin" and current["filed"] is None
