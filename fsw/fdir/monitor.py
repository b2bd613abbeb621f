"""The monitor engine: judges every row of the monitor table once per control cycle.

A monitor counts consecutive cycles beyond its threshold; on reaching its persistence it trips
(once) and fault protection applies its response; it clears when the quantity comes back within the
threshold. Exactly at the threshold is within. Idle or disabled monitors forget their counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from fsw.fdir.quantities import ROVER_QUANTITIES, WHEEL_QUANTITIES, Readings
from fsw.fdir.schema import MonitorDef
from fsw.params import ParamStore
from fsw.tables.enums import MonitorState, Response


@dataclass(frozen=True, slots=True)
class Change:
    """A monitor that tripped or cleared this cycle, on which wheel (None: the whole rover)."""

    index: int
    monitor: MonitorDef
    wheel: int | None
    tripped: bool
    value: float
    threshold: float


class MonitorBank:
    """The state of every monitor: enabled, count and tripped flag per channel (wheel)."""

    def __init__(self, rows: tuple[MonitorDef, ...], params: ParamStore) -> None:
        self.rows = rows
        self.params = params
        for m in rows:
            table = WHEEL_QUANTITIES if m.per_wheel else ROVER_QUANTITIES
            if m.quantity not in table:
                raise ValueError(f"monitor {m.name}: no quantity {m.quantity!r}")
        channels = [6 if m.per_wheel else 1 for m in rows]
        self.enabled = [True] * len(rows)
        self.counts = [[0] * n for n in channels]
        self.tripped = [[False] * n for n in channels]
        self.active = [False] * len(rows)
        self.trips = 0
        self._compiled = [
            (m, m.watch.bit, m.limit_param,
             m.degraded_param if m.degraded is not None else "", m.persistence_param)
            for m in rows
        ]  # fmt: skip

    def enable(self, index: int, on: bool) -> None:
        """Enable or disable a monitor; either way it starts counting afresh."""
        self.enabled[index] = on
        self._forget(index)

    def _forget(self, index: int) -> None:
        counts, tripped = self.counts[index], self.tripped[index]
        for ch in range(len(counts)):
            counts[ch] = 0
            tripped[ch] = False

    def threshold(self, m: MonitorDef, degraded: bool) -> float:
        """The monitor's threshold now (the five-wheel one when degraded and it has one)."""
        if degraded and m.degraded is not None:
            return self.params[m.degraded_param]
        return self.params[m.limit_param]

    def evaluate(
        self, r: Readings, watching: int, isolated: list[bool], degraded: bool
    ) -> list[Change]:
        """Judge every monitor on this cycle's readings; the trips and clears it caused.
        `watching` is the sum of the Watch bits that hold this cycle."""
        changes: list[Change] = []
        params = self.params.values
        enabled, active = self.enabled, self.active
        for index, (m, bit, limit, limit_5w, persist) in enumerate(self._compiled):
            if not (enabled[index] and bit & watching):
                if active[index]:
                    active[index] = False
                    self._forget(index)
                continue
            active[index] = True
            threshold = params[limit_5w if degraded and limit_5w else limit]
            counts, tripped, above = self.counts[index], self.tripped[index], m.above
            if m.per_wheel:
                values = WHEEL_QUANTITIES[m.quantity](r)
                for ch in range(6):
                    value = values[ch]
                    if value is None or isolated[ch]:
                        counts[ch] = 0
                    elif (value > threshold if above else value < threshold) or (
                        counts[ch] or tripped[ch]
                    ):  # only a monitor beyond its threshold, or coming back, needs judging
                        self._judge(changes, index, ch, value, threshold, params[persist])
            else:
                value = ROVER_QUANTITIES[m.quantity](r)
                if value is None:
                    counts[0] = 0
                elif (value > threshold if above else value < threshold) or (
                    counts[0] or tripped[0]
                ):
                    self._judge(changes, index, None, value, threshold, params[persist])
        return changes

    def _judge(
        self,
        changes: list[Change],
        index: int,
        wheel: int | None,
        value: float,
        threshold: float,
        persistence: float,
    ) -> None:
        ch = 0 if wheel is None else wheel
        counts, tripped = self.counts[index], self.tripped[index]
        m = self.rows[index]
        if value > threshold if m.above else value < threshold:
            counts[ch] += 1
            if counts[ch] >= persistence and not tripped[ch]:
                tripped[ch] = True
                self.trips += 1
                changes.append(Change(index, m, wheel, True, value, threshold))
        elif counts[ch] or tripped[ch]:
            counts[ch] = 0
            if tripped[ch]:
                tripped[ch] = False
                changes.append(Change(index, m, wheel, False, value, threshold))

    def beyond_now(self, index: int, value: float | None, degraded: bool) -> bool:
        """Whether `value` is beyond monitor `index`'s threshold right now (no counting)."""
        m = self.rows[index]
        return value is not None and m.beyond(value, self.threshold(m, degraded))

    def beyond_any(self, response: Response, readings: Readings, degraded: bool) -> bool:
        """Whether an enabled whole-rover monitor with `response` is beyond its threshold right
        now (no counting): what SAFE_RECOVER's guard asks of the SAFE monitors."""
        return any(
            self.beyond_now(index, ROVER_QUANTITIES[m.quantity](readings), degraded)
            for index, m in enumerate(self.rows)
            if m.response is response and self.enabled[index] and not m.per_wheel
        )

    def state(self, index: int) -> MonitorState:
        """What telemetry reports for a monitor: the worst of its channels."""
        if not self.enabled[index]:
            return MonitorState.DISABLED
        if not self.active[index]:
            return MonitorState.IDLE
        if any(self.tripped[index]):
            return MonitorState.TRIPPED
        if any(self.counts[index]):
            return MonitorState.PENDING
        return MonitorState.OK
