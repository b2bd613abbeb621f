"""The `rover` pytest plugin: fixtures that hand a test the RoverTestAPI over the flight software
in-process (`rover_sim`) or over a recorded telemetry log (`rover_log`), closed at teardown.

Registered by the `pytest11` entry point `rover` once the project is pip-installed, and by
tests/conftest.py in a checkout that is not.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest

if TYPE_CHECKING:  # imported when a test asks for a rover: loading the plugin stays cheap
    from tools.scenario import Scenario
    from tools.testing.api import RoverTestAPI


class SimFactory(Protocol):
    """What `rover_sim` gives: call it for an API over a rover built from a scenario."""

    def __call__(
        self,
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        play_commands: bool = False,
        record: Path | None = None,
    ) -> RoverTestAPI:
        """An API over a new InProcessSession."""


class LogFactory(Protocol):
    """What `rover_log` gives: call it for an API over a recorded log (plain or gzip)."""

    def __call__(self, path: str | Path) -> RoverTestAPI:
        """An API over a new PlaybackSession."""


@pytest.fixture
def rover_sim() -> Iterator[SimFactory]:
    """Flight software and simulated rover in-process, on the simulated clock: the scenario's
    terrain, start, sun and faults apply (none: flat ground), its commands are sent only with
    `play_commands`; `record` writes a telemetry log. Timeouts are mission seconds."""
    opened: list[RoverTestAPI] = []

    def make(
        scenario: Scenario | str | Path | None = None,
        *,
        seed: int | None = None,
        play_commands: bool = False,
        record: Path | None = None,
    ) -> RoverTestAPI:
        from tools.ground.inprocess import InProcessSession  # noqa: PLC0415
        from tools.testing.api import RoverTestAPI  # noqa: PLC0415

        session = InProcessSession(scenario, seed=seed, play_commands=play_commands, record=record)
        opened.append(RoverTestAPI(session))
        return opened[-1]

    yield make
    for api in opened:
        api.close()


@pytest.fixture
def rover_log() -> Iterator[LogFactory]:
    """A recorded telemetry log replayed as fast as it reads: `send_command` follows the log's
    own sending of that command, `await_command` the next one it sent. Timeouts are the log's
    mission seconds."""
    opened: list[RoverTestAPI] = []

    def make(path: str | Path) -> RoverTestAPI:
        from tools.ground.playback import PlaybackSession  # noqa: PLC0415
        from tools.testing.api import RoverTestAPI  # noqa: PLC0415

        opened.append(RoverTestAPI(PlaybackSession(path)))
        return opened[-1]

    yield make
    for api in opened:
        api.close()
