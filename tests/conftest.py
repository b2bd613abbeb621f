"""The `rover` pytest plugin (tools.testing.plugin): registered by its `pytest11` entry point when
the project is pip-installed, which pytest loads before this file; registered here otherwise (a
bare checkout, or PYTEST_DISABLE_PLUGIN_AUTOLOAD). Registering it both ways would be refused."""

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.ground.signer import KEY_ENV, new_key, write_key

pytest_plugins = [] if "tools.testing.plugin" in sys.modules else ["tools.testing.plugin"]

pytest.register_assert_rewrite("tests.hil.board.realtime")  # its assert_* helpers explain failures


@pytest.fixture(scope="session", autouse=True)
def uplink_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One uplink key for the whole run, where `rover fsw` and `rover console` look by default
    ($ROVER_KEY, inherited by child processes): they authenticate as an operator's would."""
    path = tmp_path_factory.mktemp("key") / "uplink.key"
    write_key(path, new_key())
    before = os.environ.get(KEY_ENV)
    os.environ[KEY_ENV] = str(path)
    yield path
    if before is None:
        del os.environ[KEY_ENV]
    else:
        os.environ[KEY_ENV] = before
