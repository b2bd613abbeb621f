"""The onboard store's commands (APID CMD_STORE): PLAYBACK_TIME, PLAYBACK_SEQ, PLAYBACK_ABORT and
STORE_CLEAR. Every check runs before anything changes; a playback completes when its last packet
has been sent (fsw.forward)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from fsw.dispatch import Command, Handler, Rejected, checked
from fsw.forward import MAX_JOBS
from fsw.packets.reasons import Reason
from fsw.tables.enums import PlaybackCause

if TYPE_CHECKING:
    from fsw.flight import FlightSoftware


def store_handlers(f: FlightSoftware, mode_check: Callable[[Command], None]) -> dict[str, Handler]:
    """The handlers of the store's commands, bound to the flight software `f`."""

    def not_full(cmd: Command) -> None:
        if len(f.forward.jobs) >= MAX_JOBS:
            raise Rejected(
                Reason.BUSY, f"{cmd.name}: {MAX_JOBS} playbacks are waiting (PLAYBACK_ABORT)"
            )

    def found(cmd: Command, indices: list[int], text: str) -> None:
        if not indices:
            raise Rejected(Reason.EMPTY_RANGE, f"{cmd.name}: nothing stored {text}")

    def time_check(cmd: Command) -> None:
        start, end = cmd.args["start"], cmd.args["end"]
        if end < start:
            raise Rejected(
                Reason.INVERTED_RANGE,
                f"PLAYBACK_TIME: end {end:g} s is before start {start:g} s",
                1,
            )
        not_full(cmd)
        found(cmd, f.forward.store.select_time(start, end), f"from {start:g} s to {end:g} s")

    def seq_check(cmd: Command) -> None:
        apid, first, last = cmd.args["apid"], cmd.args["first"], cmd.args["last"]
        if last < first:
            raise Rejected(
                Reason.INVERTED_RANGE, f"PLAYBACK_SEQ: last {last} is before first {first}", 2
            )
        not_full(cmd)
        found(cmd, f.forward.store.select_seq(apid, first, last),
              f"for APID {apid:#05x} counts {first} to {last}")  # fmt: skip

    def selected(cmd: Command) -> list[int]:
        """The entries in the command's range (again: its own reports may have joined them)."""
        a, store = cmd.args, f.forward.store
        if cmd.name == "PLAYBACK_TIME":
            return store.select_time(a["start"], a["end"])
        return store.select_seq(a["apid"], a["first"], a["last"])

    def play(cause: PlaybackCause) -> Callable[[Command], bool]:
        def run(cmd: Command) -> bool:
            f.forward.request(cause, selected(cmd), cmd)
            return False  # completes when its last packet has gone down

        return run

    def abort(_: Command) -> bool:
        f.forward.abort()
        return True

    def clear(_: Command) -> bool:
        f.emit("STORE_CLEARED", {"dropped": f.forward.clear()})
        return True

    return {
        "PLAYBACK_TIME": Handler(play(PlaybackCause.TIME), checked(mode_check, time_check)),
        "PLAYBACK_SEQ": Handler(play(PlaybackCause.SEQUENCE), checked(mode_check, seq_check)),
        "PLAYBACK_ABORT": Handler(abort, mode_check),
        "STORE_CLEAR": Handler(clear, mode_check),
    }
