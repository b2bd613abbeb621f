"""The `rover` pytest plugin (tools.testing.plugin): registered by its `pytest11` entry point when
the project is pip-installed, which pytest loads before this file; registered here otherwise (a
bare checkout, or PYTEST_DISABLE_PLUGIN_AUTOLOAD). Registering it both ways would be refused."""

import sys

import pytest

pytest_plugins = [] if "tools.testing.plugin" in sys.modules else ["tools.testing.plugin"]

pytest.register_assert_rewrite("tests.hil.board.realtime")  # its assert_* helpers explain failures
