"""The `rover` pytest plugin (tools.testing.plugin): registered by its `pytest11` entry point when
the project is pip-installed, which pytest loads before this file; registered here otherwise (a
bare checkout, or PYTEST_DISABLE_PLUGIN_AUTOLOAD). Registering it both ways would be refused."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tools.ground.signer import KEY_ENV, new_key, write_key

pytest_plugins = [] if "tools.testing.plugin" in sys.modules else ["tools.testing.plugin"]

pytest.register_assert_rewrite("tests.hil.board.realtime")  # its assert_* helpers explain failures

# Hypothesis's default 200 ms deadline per example is a timing assertion a shared 2-core machine
# cannot honour (test_roundtrip failed on it under load); speed is measured by benchmarks/.
settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-machine")


WALL_CLOCK_GROUP = "wall-clock"
"""The xdist group of the emulated-board tests: their boards are paced to the wall clock, so
they run one after another on one worker (tests/run uses --dist loadgroup), not side by side."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put every hardware_emulation test in the wall-clock xdist group."""
    for item in items:
        if item.get_closest_marker("hardware_emulation"):
            item.add_marker(pytest.mark.xdist_group(WALL_CLOCK_GROUP))


@pytest.fixture(scope="session", autouse=True)
def uplink_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One uplink key for the whole run, where `rover fsw` and `rover console` look by default
    ($ROVER_KEY, inherited by child processes): they authenticate as an operator's would. The
    state directory (the emulator's nvram among it) is the run's own too."""
    path = tmp_path_factory.mktemp("key") / "uplink.key"
    write_key(path, new_key())
    state = tmp_path_factory.mktemp("state")  # the emulator's nvram, not the user's
    before = {name: os.environ.get(name) for name in (KEY_ENV, "ROVER_STATE_DIR")}
    os.environ[KEY_ENV] = str(path)
    os.environ["ROVER_STATE_DIR"] = str(state)
    yield path
    for name, value in before.items():
        if value is None:
            del os.environ[name]
        else:
            os.environ[name] = value
