"""The translation catalogues, kept from rotting (README, "Adding a string").

    python scripts/catalogue.py messages  # makemessages for fr (`make messages`), then compile
    python scripts/catalogue.py compile   # every locale/*/LC_MESSAGES/*.po → .mo
    python scripts/catalogue.py check     # exit 1 when a catalogue is not complete

Compiling uses polib (pure Python), so installing Certeef needs no system gettext; the .mo files
are build output, not committed. `check` fails when an entry is empty or fuzzy, or when
`makemessages` would add or drop an entry (a string in the code not yet in the catalogue, or
one no longer used): it extracts the strings into a scratch copy of the project and compares
the entries' keys (context, text, plural), ignoring the header, dates and locations.
`makemessages` needs xgettext (Debian's `gettext` package), as `make messages` does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
LANGUAGES = ["fr"]
# What `make messages` and the check pass to makemessages: the same for both.
MAKEMESSAGES_ARGS = [
    "--no-obsolete",
    "--add-location=file",
    "--ignore=.venv",
    "--ignore=tests",
    "--ignore=bench",
    "--ignore=staticfiles",
    "--ignore=build",
]
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", "staticfiles", "*.sqlite3*", "node_modules", "build"
)

Key = tuple[str | None, str, str | None]


def catalogue_path(language: str, root: Path = ROOT) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def compile_all() -> None:
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def _key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def _plural_count(catalogue: polib.POFile) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else None


def incomplete_entries(catalogue: polib.POFile) -> list[str]:
    problems = []
    plurals = _plural_count(catalogue)
    seen: set[Key] = set()
    for entry in catalogue:
        # Two helpers appending at once leave an entry twice: msgfmt and makemessages refuse it.
        if not entry.obsolete and _key(entry) in seen:
            problems.append(f"duplicate entry (keep one): {entry.msgid!r}")
        seen.add(_key(entry))
        if entry.obsolete:
            problems.append(f"obsolete (#~), run `make messages`: {entry.msgid!r}")
        elif "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif entry.msgid_plural:
            if not entry.msgstr_plural or not all(entry.msgstr_plural.values()):
                problems.append(f"untranslated (plural): {entry.msgid!r}")
            elif plurals is not None and len(entry.msgstr_plural) != plurals:
                problems.append(
                    f"{len(entry.msgstr_plural)} plural forms, the language has {plurals}:"
                    f" {entry.msgid!r}"
                )
        elif not entry.msgstr:
            problems.append(f"untranslated: {entry.msgid!r}")
    return problems


def extracted_keys(language: str) -> set[Key]:
    """The entries makemessages would write today, from a scratch copy of the project."""
    with tempfile.TemporaryDirectory(prefix="certeef-messages-") as scratch:
        copy = Path(scratch) / "project"
        shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
        for po_path in (copy / "locale").glob("*/LC_MESSAGES/*.po"):
            po_path.unlink()
        env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
            [sys.executable, "manage.py", "makemessages", "-l", language, *MAKEMESSAGES_ARGS],
            cwd=copy,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        extracted = polib.pofile(str(catalogue_path(language, copy)))
        return {_key(entry) for entry in extracted if not entry.obsolete}


def check() -> int:
    failures = []
    for language in LANGUAGES:
        path = catalogue_path(language)
        catalogue = polib.pofile(str(path))
        failures += [f"{path.relative_to(ROOT)}: {p}" for p in incomplete_entries(catalogue)]
        have = {_key(entry) for entry in catalogue if not entry.obsolete}
        wanted = extracted_keys(language)
        failures += [
            f"{path.relative_to(ROOT)}: not in the catalogue, run `make messages`: {key[1]!r}"
            for key in sorted(wanted - have, key=str)
        ]
        failures += [
            f"{path.relative_to(ROOT)}: no longer in the code, run `make messages`: {key[1]!r}"
            for key in sorted(have - wanted, key=str)
        ]
    for failure in failures:
        print(failure, file=sys.stderr)
    if failures:
        print(f"{len(failures)} catalogue problem(s): see README, 'Adding a string'.")
        return 1
    print("Catalogues complete: every entry translated, none fuzzy, none missing.")
    return 0


def messages() -> None:
    for language in LANGUAGES:
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py, fixed arguments
            [sys.executable, "manage.py", "makemessages", "-l", language, *MAKEMESSAGES_ARGS],
            cwd=ROOT,
            env={**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")},
            check=True,
        )
    compile_all()


def main(argv: list[str]) -> int:
    if argv == ["messages"]:
        messages()
        return 0
    if argv == ["compile"]:
        compile_all()
        return 0
    if argv == ["check"]:
        return check()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
