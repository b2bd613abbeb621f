from pathlib import Path

import pytest

from tests.tools.replay.logs import SCENARIO
from tools import replay, runner, scenario


@pytest.fixture(scope="session")
def rock_log(tmp_path_factory) -> Path:
    """The log of scenarios/rock-0.25m-stops.toml (300 s, 2411 packets)."""
    path = tmp_path_factory.mktemp("rock") / "rock.tlm"
    runner.run(scenario.load(SCENARIO), out=path)
    return path


@pytest.fixture(scope="session")
def rock(rock_log) -> replay.Replay:
    return replay.load(rock_log)
