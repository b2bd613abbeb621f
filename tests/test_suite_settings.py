"""The suite's own settings hold on a busy machine: no per-example hypothesis deadline."""

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import WALL_CLOCK_GROUP, pytest_collection_modifyitems


def test_hypothesis_examples_have_no_deadline():
    assert settings().deadline is None
    assert HealthCheck.too_slow in settings().suppress_health_check


@given(st.integers())
def test_a_slow_example_is_not_failed_for_its_time(n):
    time.sleep(0.25 if n == 0 else 0)  # beyond hypothesis's default 200 ms deadline


def test_emulated_board_tests_share_one_xdist_worker():
    class Item:
        def __init__(self, emulated: bool) -> None:
            self.markers = [pytest.mark.hardware_emulation.mark] if emulated else []

        def get_closest_marker(self, name):
            return next((m for m in self.markers if m.name == name), None)

        def add_marker(self, mark):
            self.markers.append(mark.mark)

    emulated, plain = Item(True), Item(False)
    pytest_collection_modifyitems([emulated, plain])
    group = emulated.get_closest_marker("xdist_group")
    assert group is not None and group.args == (WALL_CLOCK_GROUP,)
    assert plain.get_closest_marker("xdist_group") is None
    run = (Path(__file__).parent / "run").read_text()
    assert "--dist loadgroup" in run  # without it xdist ignores the groups
