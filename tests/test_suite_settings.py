"""The suite's own settings hold on a busy machine: no per-example hypothesis deadline."""

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_hypothesis_examples_have_no_deadline():
    assert settings().deadline is None
    assert HealthCheck.too_slow in settings().suppress_health_check


@given(st.integers())
def test_a_slow_example_is_not_failed_for_its_time(n):
    time.sleep(0.25 if n == 0 else 0)  # beyond hypothesis's default 200 ms deadline
