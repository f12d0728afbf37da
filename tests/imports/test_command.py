"""manage.py import_data: the summary, one line per error, exit codes 0/1/2."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from learners.models import Learner
from tests.conftest import make_company

pytestmark = pytest.mark.django_db

LEARNERS = "Nom;Prénom;Email\nDurand;Hélène;h@example.fr\nMartin;Paul;\n"


def run(*args):
    out = io.StringIO()
    code = 0
    try:
        call_command("import_data", *args, stdout=out, stderr=out)
    except SystemExit as exit_:
        code = exit_.code
    except CommandError as error:
        code = error.returncode
        out.write(str(error))
    return code, out.getvalue()


@pytest.fixture
def learners_file(tmp_path) -> Path:
    path = tmp_path / "stagiaires.csv"
    path.write_bytes(LEARNERS.encode("cp1252"))
    return path


def test_import_then_reimport_unchanged(organization, learners_file):
    args = ["--organization", organization.slug, "--kind", "learners", str(learners_file)]
    code, out = run(*args)
    assert (code, out.strip()) == (0, "Imported: 2 created, 0 updated, 0 unchanged.")
    assert Learner.objects.count() == 2
    code, out = run(*args)
    assert (code, out.strip()) == (0, "Imported: 0 created, 0 updated, 2 unchanged.")


def test_dry_run_never_saves(organization, learners_file):
    code, out = run(
        "--organization", organization.slug, "--kind", "learners", "--dry-run", str(learners_file)
    )
    assert (code, out.strip()) == (0, "Dry run, nothing saved: 2 created, 0 updated, 0 unchanged.")
    assert not Learner.objects.exists()


def test_row_errors_one_line_each_exit_1_nothing_saved(organization, tmp_path):
    make_company(organization, siret="73282932000074")
    path = tmp_path / "x.csv"
    path.write_text(
        "Nom;Prénom;Email;Employeur (SIRET)\nA;B;bad;\nC;D;c@example.fr;73282932000074\n"
        "E;F;;11111111111111\n",
        encoding="utf-8",
    )
    code, out = run("--organization", organization.slug, "--kind", "learners", str(path))
    assert code == 1
    assert out.splitlines() == [
        "Line 2, column “Email”: Enter a valid email address.",
        "Line 4, column “Employeur (SIRET)”: No company of yours has the SIRET 11111111111111: "
        "import or create it first.",
        "2 errors: nothing was saved (1 created, 0 updated, 0 unchanged without the errors).",
    ]
    assert not Learner.objects.exists()


def test_unreadable_file_unknown_organisation_missing_column_exit_2(organization, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert run("--organization", organization.slug, "--kind", "learners", str(empty)) == (
        2,
        "empty.csv: The file is empty.",
    )
    code, out = run("--organization", "nope", "--kind", "learners", str(empty))
    assert (code, out) == (2, "No organisation has the slug “nope”.")
    code, out = run("--organization", organization.slug, "--kind", "learners", "/nonexistent")
    assert code == 2
    no_first_name = tmp_path / "n.csv"
    no_first_name.write_text("Nom;Email\nA;a@example.fr\n")
    code, out = run("--organization", organization.slug, "--kind", "learners", str(no_first_name))
    assert (code, out) == (2, "n.csv: These columns are required: First name.")


def test_exit_code_2_from_the_shell_for_an_unknown_kind(tmp_path):
    """The real process (argparse refuses the arguments before the database is used)."""
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x00\x01\x02")
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    for args in (["--kind", "nope"],):
        process = subprocess.run(  # noqa: S603
            [sys.executable, str(manage), "import_data", "--organization", "x", *args, str(binary)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert process.returncode == 2, process.stderr


def test_xlsx_named_sheet_with_english_headers(organization, tmp_path):
    from tests.imports.test_files import xlsx

    path = tmp_path / "learners.xlsx"
    path.write_bytes(
        xlsx(
            [["Notes"], ["nothing here"]],
            more_sheets=[
                ("Learners", [["Last name", "First name", "Email"], ["Doe", "Jane", "j@x.fr"]])
            ],
        )
    )
    args = ["--organization", organization.slug, "--kind", "learners", str(path)]
    code, out = run(*args, "--sheet", "Learners")
    assert (code, out.strip()) == (0, "Imported: 1 created, 0 updated, 0 unchanged.")
    assert Learner.objects.get().email == "j@x.fr"
    code, out = run(*args, "--sheet", "Nope")
    assert code == 2
    assert "no sheet named “Nope”" in out
    # The first sheet has no learner columns.
    code, out = run(*args)
    assert (code, out) == (2, "learners.xlsx: These columns are required: Last name, First name.")
