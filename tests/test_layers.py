"""The apps depend one way (README, "Where things are"): the import-linter contracts of
pyproject.toml — each app imports only the apps below it, and no app's modules import each other
in a circle (a function-local import counts: it cannot hide one)."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_apps_import_only_the_apps_below_them_and_no_module_circles():
    # On failure, import-linter's report (printed, shown by pytest) names each offending import.
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0
