"""`rover fsw`'s non-volatile memory (`--nvram`): the uplink's anti-replay counter and the
downlink's sequence-number lease, read at start-up and said when new, lost or damaged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fsw.security import Key
from hil.nvram import Nvram
from tools.statedir import state_dir


def replay_memory(where: str | None, key: Key | None, say: Callable[[str], None]) -> dict[str, Any]:
    """The anti-replay counter kept in non-volatile memory, so an envelope captured before a
    restart is still refused after it; the downlink's sequence-number lease, so telemetry sealed
    after a restart is never numbered like telemetry sealed before it (nothing without a key).
    A memory never written (no directory yet) is a new rover: its counter starts at 0. A
    directory without the counter, or a counter that cannot be read, is a lost one: the flight
    software then refuses every command until SA_SET_ARSN sets it, rather than let captured
    commands run again."""
    if key is None:
        return {}
    nvram = Nvram(Path(where).expanduser() if where else state_dir() / "nvram")
    name = f"uplink-sn-{key.spi}"
    path = nvram.directory / name
    floor: int | None
    if nvram.blank:  # kept at once: the downlink's lease alone would make the next boot "lost"
        floor = 0
        say(f"new non-volatile memory at {nvram.directory}: anti-replay counter starts at 0")
        try:
            nvram.write(name, 0)
        except OSError as err:
            say(f"anti-replay counter not kept ({err.strerror or err}): commands will say why")
    else:
        try:
            floor = nvram.read(name)
        except ValueError as err:
            floor, why = None, str(err)
        else:
            why = f"{path} is missing"
        if floor is None:
            say(
                f"anti-replay counter LOST ({why}): every command is refused until the ground "
                "sends SA_SET_ARSN with the challenge in SECURITY telemetry"
            )
    down = f"downlink-sn-{key.spi}"
    return {
        "replay_floor": floor,
        "keep_replay": lambda sn: nvram.write(name, sn),
        # the downlink's lease: its sequence numbers never go back after a restart
        "downlink_lease": (_lease(nvram, down, say), lambda sn: nvram.write(down, sn)),
    }


def _lease(nvram: Nvram, name: str, say: Callable[[str], None]) -> int:
    """The downlink's lease from non-volatile memory: 0 when never written; a damaged one is said
    and taken as 0 (the numbers then rest on mission time alone, which rises across restarts at
    one speed)."""
    try:
        lease = nvram.read(name) or 0
        if lease >= 1 << 63:  # 292,000 years of microseconds: no clock made it
            raise ValueError(f"{nvram.directory / name}: holds {lease}, beyond any mission time")
        return lease
    except ValueError as err:
        say(f"downlink sequence-number lease unreadable ({err}): numbering from mission time")
        return 0
