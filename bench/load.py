"""Many administrators at once (issue 17, item 2). Run with
`make load DATABASE_URL=postgres://postgres@127.0.0.1:5432/certeef_load`.

1. Refuses SQLite, and any PostgreSQL database that holds something else than this tool's data
   (the development database, the demo's): it writes to the database it is given.
2. Creates the database if missing, migrates it and seeds it once (reused by later runs):
   several organisations of the scale seed (`seed_demo --scale N --organizations K`), each with
   its administrator `scale-N[-k]-admin`.
3. Starts gunicorn as production runs it (debug off, a throw-away secret key, HTTPS redirect off,
   4 workers) on 127.0.0.1 and a free port, and drives it with locust (headless, as a library):
   simulated administrators (bench/load_users.py) log in and work for the given time.
4. Stops gunicorn and its workers whatever happens (its process group; Ctrl-C too), checks the
   session summaries against a rebuild (`refresh_summaries --check`), prints a table and writes
   bench/results-load.json.

Exit status: 0 when every request succeeded and the summaries are consistent, 1 otherwise, 2 when
the database is refused.
"""

from __future__ import annotations

# locust patches the standard library for gevent as it is imported: before anything opens a
# socket or imports ssl.
import locust.env  # isort: skip

import argparse
import contextlib
import io
import itertools
import json
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import requests

from bench.load_database import Refused, load_database, prepare_database
from bench.load_users import ARRIVAL_NAMES, EXPORT_PREFIX, LOG_IN, administrator_class

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_OUTPUT = BENCH_DIR / "results-load.json"
# The scale seed's password (demo/demo.py DEMO_PASSWORD; this process does not load Django).
PASSWORD = "certeef-demo"  # noqa: S105 - the demo data's published password
HOST = "127.0.0.1"
GUNICORN_READY_SECONDS = 60
GUNICORN_STOP_SECONDS = 15
SPAWN_RATE = 2


# ---------------------------------------------------------------------------------------------
# The server


def server_environment(url: str) -> dict[str, str]:
    """Production settings (certeef/settings.py) on 127.0.0.1, with a key made for this run."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "certeef.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def manage(env: dict[str, str], *arguments: str, check: bool = True) -> int:
    command = [sys.executable, str(ROOT / "manage.py"), *arguments]
    return subprocess.run(command, env=env, cwd=ROOT, check=check).returncode  # noqa: S603


def collect_static(env: dict[str, str]) -> None:
    """Debug off, pages name the hashed static files of the manifest: collect them unless the
    manifest is newer than every source file (collecting takes seconds)."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    sources = [ROOT / "static", *ROOT.glob("*/static"), ROOT / ".venv" / ".installed"]
    newest = max(
        (path.stat().st_mtime for folder in sources if folder.exists() for path in _files(folder)),
        default=0,
    )
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    manage(env, "collectstatic", "--no-input", "--verbosity", "0")


def _files(path: Path) -> Iterable[Path]:
    return [path] if path.is_file() else (item for item in path.rglob("*") if item.is_file())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int) -> Iterator[Server]:
    """gunicorn in a process group of its own, stopped (master and workers) on the way out,
    whatever happened: an error, Ctrl-C, a SIGTERM."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="certeef-load-gunicorn-", suffix=".log")[1])
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "certeef.wsgi:application",
        f"--workers={workers}",
        f"--bind={HOST}:{port}",
        "--timeout=120",
        # The application imported once, before the workers are forked: they start in seconds.
        "--preload",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
            command,
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process=process, url=f"http://{HOST}:{port}", log=log)
    try:
        _wait_until_ready(server, port)
        _warm_up(server, workers)
        yield server
    finally:
        stop_process_group(process)


def _wait_until_ready(server: Server, port: int) -> None:
    deadline = time.monotonic() + GUNICORN_READY_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start: see {server.log}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {GUNICORN_READY_SECONDS} s: {server.log}")


def _warm_up(server: Server, workers: int) -> None:
    """A few log-in pages at once, so that each worker has loaded the application and its
    templates before the timed run (a deployed server's workers are warm too)."""
    for _round in range(3):
        calls = [gevent.spawn(requests.get, f"{server.url}/accounts/login/", timeout=60)
                 for _worker in range(workers)]  # fmt: skip
        gevent.joinall(calls)


def cpu_seconds(matches: Callable[[int, str], bool]) -> float:
    """CPU time (user + system) of the processes for which `matches(process group, command
    line)` is true, from /proc: what the run cost the machine, whatever else shares it."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError):  # a process that ended meanwhile
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if matches(int(fields[2]), command):
                total += int(fields[11]) + int(fields[12])
    return total / ticks


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the whole group (gunicorn's master lets its workers finish), SIGKILL to what
    is left after GUNICORN_STOP_SECONDS."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=GUNICORN_STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


# ---------------------------------------------------------------------------------------------
# The run


@dataclass
class Timings:
    """Each request's time by name, and its failures (locust's own percentiles are rounded).

    The run is measured once every user has logged in (as locust's --reset-stats does): while
    they arrive, each log-in's second of password hashing holds one of the four workers, and
    what the others asked meanwhile is kept apart (`arrival`, printed, not in the results).
    Log-ins themselves are reported, apart from the percentiles; a failure counts whenever it
    happens."""

    times: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    arrival: list[float] = field(default_factory=list)
    measuring: bool = False

    def record(
        self,
        request_type: str,
        name: str,
        response_time: float,
        response_length: int,
        exception: BaseException | None = None,
        **_context: Any,
    ) -> None:
        if self.measuring or name in ARRIVAL_NAMES or exception is not None:
            self.times.setdefault(name, []).append(response_time)
        else:
            self.arrival.append(response_time)
        self.failures.setdefault(name, 0)
        if exception is not None:
            self.failures[name] += 1
            self.reasons.setdefault(name, str(exception)[:300])


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile, in ms rounded to 0.1."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return round(ordered[rank - 1], 1)


def drive(
    url: str, logins: list[tuple[str, str]], users: int, duration: float, seed: int
) -> Timings:
    """Run the simulated administrators against `url`: `duration` seconds from the moment all
    of them have logged in (locust's own --run-time would count from the first arrival, and a
    busy machine may take seconds to log everyone in)."""
    rng = random.Random(seed)
    stoppers: list[gevent.Greenlet] = []
    arrivals = itertools.count(1)
    timings = Timings()

    def arrived() -> None:
        if next(arrivals) == users:
            timings.measuring = True
            stoppers.append(gevent.spawn_later(duration, runner.quit))

    # The shared sessions of this run: the first ones of a page of each organisation's
    # sessions list (another page each run, so that no session grows run after run).
    user_class = administrator_class(
        logins, shared_page=rng.randint(1, 20), seed=seed, arrived=arrived
    )
    environment = locust.env.Environment(user_classes=[user_class], host=url)
    environment.events.request.add_listener(timings.record)
    runner = environment.create_local_runner()
    # Two arrivals a second, not all in the same instant: a log-in costs a second of CPU
    # (the password's hash, by design).
    runner.start(users, spawn_rate=SPAWN_RATE)
    # Whatever happens to the log-ins, the run ends.
    stoppers.append(gevent.spawn_later(users / SPAWN_RATE + duration + 120, runner.quit))
    try:
        runner.greenlet.join()
    finally:
        gevent.killall(stoppers)
        runner.quit()
    return timings


def apart(name: str) -> bool:
    """Reported on their own lines, left out of the overall percentiles: the exports (seconds of
    work by nature) and the log-in (a deliberately slow password hash, once per user)."""
    return name.startswith(EXPORT_PREFIX) or name == LOG_IN


def results(timings: Timings, users: int, duration: float, consistent: bool) -> dict:
    pages = [t for name, times in timings.times.items() if not apart(name) for t in times]
    return {
        "users": users,
        "duration_s": duration,
        "requests": sum(len(times) for times in timings.times.values()),
        "failures": sum(timings.failures.values()),
        "p50_ms": percentile(pages, 0.50),
        "p95_ms": percentile(pages, 0.95),
        "by_name": {
            name: {
                "requests": len(times),
                "failures": timings.failures[name],
                "p50_ms": percentile(times, 0.50),
                "p95_ms": percentile(times, 0.95),
            }
            for name, times in sorted(timings.times.items())
        },
        "summaries_consistent": consistent,
    }


def print_table(summary: dict, timings: Timings) -> None:
    header = f"{'request':<34} {'requests':>9} {'failures':>9} {'p50 ms':>9} {'p95 ms':>9}"
    lines = [header, "-" * len(header)]
    for name, row in summary["by_name"].items():
        lines.append(
            f"{name:<34} {row['requests']:>9} {row['failures']:>9} "
            f"{row['p50_ms']:>9.1f} {row['p95_ms']:>9.1f}"
        )
    pages = sum(row["requests"] for name, row in summary["by_name"].items() if not apart(name))
    lines.append("-" * len(header))
    lines.append(f"{'all requests':<34} {summary['requests']:>9} {summary['failures']:>9}")
    lines.append(
        f"{'pages (no exports, no log-ins)':<34} {pages:>9} {'':>9} "
        f"{summary['p50_ms']:>9.1f} {summary['p95_ms']:>9.1f}"
    )
    lines.append(
        f"\n{summary['users']} users for {summary['duration_s']} s; summaries consistent: "
        f"{'yes' if summary['summaries_consistent'] else 'NO'}"
    )
    if timings.arrival:
        lines.append(
            f"while the users logged in (not counted above): {len(timings.arrival)} other "
            f"requests, p50 {percentile(timings.arrival, 0.5):.0f} ms, "
            f"p95 {percentile(timings.arrival, 0.95):.0f} ms"
        )
    for name, reason in timings.reasons.items():
        lines.append(f"failed: {name}: {reason}")
    sys.stdout.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="simulated administrators (20)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (60)")
    parser.add_argument("--scale", type=int, default=8000, help="learners per organisation")
    parser.add_argument("--organizations", type=int, default=5, help="organisations (5)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--seed", type=int, help="the mix's random seed (default: a new one)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # the steps as they come, under make too

    # A SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so that gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = os.environ.get("DATABASE_URL", "")
    prefix = f"scale-{args.scale}"
    try:
        config = load_database(url)
        prepare_database(config, prefix)
    except Refused as refusal:
        sys.stderr.write(f"make load: {refusal}\n")
        return 2
    env = server_environment(url)
    started = time.perf_counter()
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    manage(env, "seed_demo", f"--scale={args.scale}", f"--organizations={args.organizations}")
    collect_static(env)
    sys.stdout.write(f"ready in {time.perf_counter() - started:.0f} s\n")
    logins = [
        (f"{prefix}-admin" if number == 1 else f"{prefix}-{number}-admin", PASSWORD)
        for number in range(1, args.organizations + 1)
    ]
    seed = args.seed if args.seed is not None else random.randrange(10**6)
    with gunicorn(env, args.workers) as server:
        sys.stdout.write(
            f"gunicorn pid {server.process.pid} ({args.workers} workers) on {server.url}, "
            f"log {server.log}; {args.users} users for {args.duration:g} s (seed {seed})\n"
        )
        group = server.process.pid
        # PostgreSQL's server processes for this database (one per gunicorn worker).
        database = f" {load_database(url)['NAME']} "

        def gunicorn_processes(process_group: int, command: str) -> bool:
            return process_group == group

        def database_processes(process_group: int, command: str) -> bool:
            return command.startswith("postgres:") and database in command

        load_before = os.getloadavg()[0]
        cpu_before = cpu_seconds(gunicorn_processes), cpu_seconds(database_processes)
        started = time.perf_counter()
        timings = drive(server.url, logins, args.users, args.duration, seed)
        elapsed = time.perf_counter() - started
        app_cpu = cpu_seconds(gunicorn_processes) - cpu_before[0]
        database_cpu = cpu_seconds(database_processes) - cpu_before[1]
        load_after = os.getloadavg()[0]
    sys.stdout.write(f"gunicorn pid {server.process.pid} stopped\n")
    if not timings.reasons:
        server.log.unlink()  # kept when something failed: the server's tracebacks are there
    consistent = manage(env, "refresh_summaries", "--check", check=False) == 0
    summary = results(timings, args.users, args.duration, consistent)
    args.output.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print_table(summary, timings)
    sys.stdout.write(
        f"run {elapsed:.0f} s (log-ins included): CPU used by gunicorn {app_cpu:.1f} s, by "
        f"PostgreSQL {database_cpu:.1f} s ({(app_cpu + database_cpu) / elapsed:.2f} of the "
        f"machine's {os.cpu_count()} cores; per request "
        f"{1000 * app_cpu / max(1, summary['requests']):.0f} + "
        f"{1000 * database_cpu / max(1, summary['requests']):.0f} ms); machine load average "
        f"(1 min) {load_before:.1f} before, {load_after:.1f} after\n"
        f"written to {args.output}\n"
    )
    return 0 if summary["failures"] == 0 and consistent else 1


if __name__ == "__main__":
    sys.exit(main())
