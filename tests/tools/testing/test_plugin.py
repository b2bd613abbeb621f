"""The `rover` plugin is registered once, whether by its `pytest11` entry point (pip-installed) or
by tests/conftest.py (a bare checkout): pytest refuses a plugin registered under two names."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
QUIET = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark"]
"""Plugins the probe does without (blocking one that is not installed is harmless)."""
PROBE = """
PLUGIN = "tools.testing.plugin"


def test_fixtures_come_from_one_registration(request, rover_sim, rover_log):
    manager = request.config.pluginmanager
    ours = [p for p in manager.get_plugins() if getattr(p, "__name__", "") == PLUGIN]
    assert len(ours) == 1
    print("registered as", manager.get_name(ours[0]))
"""


def run_probe(tmp_path: Path, *, entry_point: bool) -> str:
    """pytest on a probe test beside a copy of tests/conftest.py, with an installed `pytest11`
    entry point, or with entry points not loaded at all."""
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_probe.py").write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path / "site"), str(ROOT)])
    if entry_point:  # what `pip install` leaves: a distribution naming the plugin
        info = tmp_path / "site" / "rover_probe-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rover-probe\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text("[pytest11]\nrover = tools.testing.plugin\n")
    else:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "test_probe.py", *QUIET],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_registered_by_the_entry_point_and_not_again_by_conftest(tmp_path):
    assert "registered as rover" in run_probe(tmp_path, entry_point=True)


def test_registered_by_conftest_without_the_entry_point(tmp_path):
    assert "registered as tools.testing.plugin" in run_probe(tmp_path, entry_point=False)
