"""`make load` (bench/load.py): its smoke run, and the databases it refuses.

The smoke run is the real tool — gunicorn, locust, the log-ins, the shared sessions — with three
users for a few seconds against a tiny seed, in a PostgreSQL database of its own, created and
dropped here. It runs in a process of its own: locust patches the standard library for gevent as
it is imported, which this test process must not undergo.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from bench.load_database import Refused, drop_database, load_database, prepare_database

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {
    "users": int,
    "duration_s": float,
    "requests": int,
    "failures": int,
    "p50_ms": float,
    "p95_ms": float,
    "by_name": dict,
    "summaries_consistent": bool,
}


def run_load(url: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our interpreter and module, fixed arguments
        [sys.executable, "-m", "bench.load", *arguments],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def postgresql_url(name: str) -> str:
    """The URL of database `name` on the test database's server."""
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{settings['PORT'] or 5432}/{name}"


def group_alive(group: int) -> list[int]:
    """The processes still in process group `group` (gunicorn's master and workers)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


@pytest.fixture
def smoke_database():
    """A database of the smoke run's own, dropped afterwards whatever happened."""
    name = f"{connection.settings_dict['NAME']}_load"[:63]
    url = postgresql_url(name)
    config = load_database(url)
    drop_database(config)
    yield url, config
    drop_database(config)


@pytest.mark.postgresql_only
def test_smoke_run_answers_every_request_and_stops_its_server(smoke_database, tmp_path):
    url, config = smoke_database
    output = tmp_path / "results-load.json"
    run = run_load(
        url,
        *("--users", "3", "--duration", "4", "--scale", "30", "--organizations", "2"),
        *("--seed", "1", "--output", str(output)),
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    results = json.loads(output.read_text())
    assert set(results) == set(FIELDS)
    for name, kind in FIELDS.items():
        assert type(results[name]) is kind, (name, results[name])
    assert results["users"] == 3
    assert results["duration_s"] == 4
    assert results["requests"] > 0
    assert results["failures"] == 0
    assert results["summaries_consistent"] is True
    assert 0 < results["p50_ms"] <= results["p95_ms"]
    # Every user logged in through the log-in page, then worked.
    assert results["by_name"]["log in"]["requests"] == 3
    assert results["by_name"]["log-in page"]["requests"] >= 3
    assert sum(row["requests"] for row in results["by_name"].values()) == results["requests"]
    for row in results["by_name"].values():
        assert set(row) == {"requests", "failures", "p50_ms", "p95_ms"}
        assert row["failures"] == 0
        assert 0 < row["p50_ms"] <= row["p95_ms"]
    assert "summaries consistent: yes" in run.stdout

    # gunicorn and its workers are gone, and nothing listens on its port any more.
    match = re.search(
        r"gunicorn pid (\d+) \(\d+ workers\) on http://127\.0\.0\.1:(\d+)", run.stdout
    )
    assert match, run.stdout
    assert f"gunicorn pid {match[1]} stopped" in run.stdout
    assert group_alive(int(match[1])) == []
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(match[2])), timeout=2).close()

    # Seeded once: a second preparation keeps the organisations. A database that holds anything
    # else than the tool's organisations is refused.
    with psycopg.connect(url, autocommit=True) as database:
        slugs = {slug for (slug,) in database.execute("SELECT slug FROM certeef_organization")}
        assert slugs == {"scale-30", "scale-30-2"}
        prepare_database(config, "scale-30")
        database.execute("UPDATE certeef_organization SET slug = 'formations-lumiere' "
                         "WHERE slug = 'scale-30-2'")  # fmt: skip
    with pytest.raises(Refused, match="formations-lumiere"):
        prepare_database(config, "scale-30")


@pytest.mark.postgresql_only
def test_refuses_the_databases_that_are_not_its_own():
    for name in ("certeef", "postgres"):
        run = run_load(postgresql_url(name), "--duration", "1")
        assert run.returncode == 2
        assert "of its own" in run.stderr
        assert "gunicorn" not in run.stdout


def test_refuses_sqlite_and_a_missing_database(tmp_path):
    run = run_load(f"sqlite:///{tmp_path / 'db.sqlite3'}", "--duration", "1")
    assert run.returncode == 2
    assert "PostgreSQL only" in run.stderr
    assert not (tmp_path / "db.sqlite3").exists()
    run = run_load("", "--duration", "1")
    assert run.returncode == 2
    assert "certeef_load" in run.stderr
