"""`make test` on a bare machine: the system packages check installs what it can or says how."""

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system_packages.sh"


def run_as_unprivileged_user(**env):
    command = [str(SCRIPT)]
    if os.geteuid() == 0:
        # As root the script would install the package; as anyone else it must stop and say how.
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(  # noqa: S603 — our own script, fixed arguments
        command, env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def test_a_missing_chromium_stops_at_once_with_the_exact_command():
    result = run_as_unprivileged_user(CERTEEF_CHROMIUM="/nonexistent/chromium")

    assert result.returncode == 1
    assert "apt-get install -y chromium" in result.stderr


def test_nothing_missing_passes_silently():
    result = run_as_unprivileged_user()

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
