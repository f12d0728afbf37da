"""Reads take their arguments by keyword, as the services do (DESIGN.md, "How code is written
here"): every public function of a selectors module, and the dashboard's reads."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SELECTOR_MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in ROOT.glob("*/selectors.py")
    if path.parent.name not in {".venv", "tests"}
)
# Called positionally by the registry of the page they plug into (certeef/page_sections.py).
REGISTRY_CALLBACKS = {"funding.session_funding.session_funding_context"}
OTHER_READS = [
    "funding.chase_overview.chasing_overview",
    "funding.chasing.funder_name",
    "funding.session_funding.session_funding",
]


def _public_functions(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    return [
        f"{module_name}.{name}"
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and function.__module__ == module_name
    ]


def _positional(qualified_name: str) -> list[str]:
    module_name, _dot, name = qualified_name.rpartition(".")
    function = getattr(importlib.import_module(module_name), name)
    return [
        parameter.name
        for parameter in inspect.signature(function).parameters.values()
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY
    ]


def test_there_are_selector_modules():
    assert {"attendance.selectors", "funding.selectors"} <= set(SELECTOR_MODULES)


@pytest.mark.parametrize(
    "qualified_name",
    [
        *(
            name
            for module in SELECTOR_MODULES
            for name in _public_functions(module)
            if name not in REGISTRY_CALLBACKS
        ),
        *OTHER_READS,
    ],
)
def test_reads_are_keyword_only(qualified_name):
    assert _positional(qualified_name) == []
