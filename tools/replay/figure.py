"""One figure of a replayed log: where the rover went and what it went through.

Left, the traverse (x, y from MOBILITY) coloured by mode, with the faults marked where they
happened; right, against minutes from the start of the log: the six wheel currents, pitch and
roll, the battery's state of charge and the mode as a band. Drawn with matplotlib's Agg canvas
directly (no pyplot, so nothing global changes in the caller's process).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from fsw.packets.schema import Field
from tools.replay.model import Event, PacketTable, Replay
from tools.replay.summary import duration

MODE_COLOURS = {
    "BOOT": "#7f7f7f",
    "STANDBY": "#2ca02c",
    "DRIVE": "#1f77b4",
    "CLIMB": "#9467bd",
    "SAFE": "#d62728",
    "HIBERNATE": "#17becf",
    "NAP": "#ff7f0e",
}
FAULT_STYLE = {  # marker, size, colour, label
    "MONITOR_TRIPPED": ("X", 10, "#d62728", "monitor tripped"),
    "WHEEL_ISOLATED": ("D", 15, "#c5b0d5", "wheel isolated"),
}
OTHER_WARNING = ("^", 11, "#ff7f0e", "other warning")
WHEEL_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
LABELLED_FAULTS = 8
"""Faults labelled with text on the map (the rest are marked only)."""


def check_path(path: str | Path) -> None:
    """A ValueError unless matplotlib can write an image to a file of this name."""
    suffix = Path(path).suffix.lower().removeprefix(".")
    if suffix not in FigureCanvasAgg.get_supported_filetypes():
        raise ValueError(
            f"{path}: matplotlib writes no '.{suffix}' images; use .png (or .pdf, .svg, ...)"
        )


def plot(replay: Replay, path: str | Path) -> Path:
    """Draw the figure and save it (format from the file's extension; PNG for .png)."""
    out = Path(path)
    check_path(out)
    fig = Figure(figsize=(16, 9.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(4, 2, width_ratios=(1, 1.25), height_ratios=(1, 1, 1, 0.45))
    tables = replay.telemetry
    start = _start(replay)
    faults = [e for e in replay.events if e.severity in ("WARNING", "ERROR", "CRITICAL")]
    mode = _mode_runs(tables.get("HK"))
    _traverse(fig.add_subplot(grid[:, 0]), tables.get("MOBILITY"), mode, faults)
    ax_wheels = fig.add_subplot(grid[0, 1])
    axes = [
        ax_wheels,
        fig.add_subplot(grid[1, 1], sharex=ax_wheels),
        fig.add_subplot(grid[2, 1], sharex=ax_wheels),
        fig.add_subplot(grid[3, 1], sharex=ax_wheels),
    ]
    _currents(axes[0], tables.get("WHEELS"), start)
    _attitude(axes[1], tables.get("MOBILITY"), start)
    _battery(axes[2], tables.get("POWER"), start)
    _modes(axes[3], mode, start)
    for ax in axes[:3]:
        ax.tick_params(labelbottom=False)
        for e in faults:
            ax.axvline((e.time - start) / 60, color="#d62728", alpha=0.35, lw=0.8, ls="--")
    axes[3].set_xlabel("time since the start of the log [min]")
    fig.suptitle(_title(replay, start, len(faults)), fontsize=14)
    fig.savefig(out)
    return out


def _start(replay: Replay) -> float:
    times = replay.seq_counts.time[np.isfinite(replay.seq_counts.time)]
    return float(times.min()) if len(times) else 0.0


def _title(replay: Replay, start: float, faults: int) -> str:
    times = replay.seq_counts.time[np.isfinite(replay.seq_counts.time)]
    span = duration(float(times.max()) - start) if len(times) else "no telemetry"
    mobility = replay.telemetry.get("MOBILITY")
    moved = ""
    if mobility is not None and len(mobility):
        moved = f", {float(mobility.column('travelled')[-1]):.1f} m over the ground"
    return f"{replay.path.name}: {span}{moved}, {faults} warnings"


def _empty(ax: Axes, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} packets in this log", ha="center", va="center", alpha=0.6)


def _label(name: str, field: Field) -> str:
    return f"{name} [{field.unit}]" if field.unit else name


def _field(table: PacketTable, name: str) -> Field:
    return next(f for f in table.fields if f.name == name)


Runs = list[tuple[str, float, float]]
"""(mode, from, to) in mission seconds."""


def _mode_runs(hk: PacketTable | None) -> Runs:
    if hk is None or not len(hk):
        return []
    field = _field(hk, "mode")
    values, times = hk.column("mode"), hk.time
    change = np.flatnonzero(np.diff(values)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(values) - 1]])
    return [(str(field.show(int(values[a]))), float(times[a]), float(times[b]))
            for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]  # fmt: skip


def _mode_at(runs: Runs, times: np.ndarray) -> list[str]:
    starts = np.array([a for _, a, _ in runs])
    at = np.clip(np.searchsorted(starts, times, "right") - 1, 0, len(runs) - 1)
    return [runs[i][0] for i in at.tolist()]


def _traverse(ax: Axes, mob: PacketTable | None, runs: Runs, faults: list[Event]) -> None:
    ax.set_title("traverse, coloured by mode")
    if mob is None or not len(mob):
        _empty(ax, "MOBILITY")
        return
    x, y, t = mob.column("x"), mob.column("y"), mob.time
    modes = _mode_at(runs, t) if runs else ["?"] * len(x)
    seen: set[str] = set()
    a = 0
    for b in range(1, len(x) + 1):
        if b == len(x) or modes[b] != modes[a]:
            m = modes[a]
            label = None if m in seen else m
            seen.add(m)
            stop = min(b + 1, len(x))  # overlap one point, so the path is unbroken
            ax.plot(x[a:stop], y[a:stop], color=MODE_COLOURS.get(m, "black"), lw=2.2, label=label)
            a = b
    ax.plot(x[0], y[0], "o", color="black", ms=7, label="start")
    ax.plot(x[-1], y[-1], "s", color="black", ms=7, label="end")
    marked: set[str] = set()
    notes: dict[int, list[str]] = {}  # sample index -> what happened there
    for e in faults:
        i = int(np.clip(np.searchsorted(t, e.time, "right") - 1, 0, len(t) - 1))
        marker, size, colour, kind = FAULT_STYLE.get(e.name, OTHER_WARNING)
        ax.plot(x[i], y[i], marker, color=colour, ms=size, mec="black",
                label=None if kind in marked else kind, zorder=20 - size)  # fmt: skip
        marked.add(kind)
        if _fault_text(e) not in notes.setdefault(i, []):
            notes[i].append(_fault_text(e))
    for n, (i, texts) in enumerate(list(notes.items())[:LABELLED_FAULTS]):
        ax.annotate("\n".join(texts), (x[i], y[i]), xytext=(10, 12 + 10 * (n % 2)),
                    textcoords="offset points", fontsize=8, va="bottom",
                    bbox={"boxstyle": "round", "fc": "white", "alpha": 0.8},
                    arrowprops={"arrowstyle": "-", "alpha": 0.5})  # fmt: skip
    ax.set_xlabel(_label("x, east", _field(mob, "x")))
    ax.set_ylabel(_label("y, north", _field(mob, "y")))
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=9)


def _fault_text(e: Event) -> str:
    if e.name == "MONITOR_TRIPPED":
        wheel = e.args.get("wheel")
        where = f" ({wheel})" if wheel not in (None, "NONE") else ""
        return f"{e.args.get('monitor')}{where} tripped"
    if e.name == "WHEEL_ISOLATED":
        return f"wheel {e.args.get('wheel')} isolated"
    return e.name


def _limits(ax: Axes, field: Field) -> None:
    if field.limits is None:
        return
    for name, value in field.limits.as_dict().items():
        colour = "#d62728" if name.startswith("red") else "#bcbd22"
        ax.axhline(value, color=colour, ls=":", lw=1.2, label=name.replace("_", " "))


def _currents(ax: Axes, wheels: PacketTable | None, start: float) -> None:
    ax.set_title("wheel motor currents")
    if wheels is None or not len(wheels):
        _empty(ax, "WHEELS")
        return
    minutes = (wheels.time - start) / 60
    names = [f.name for f in wheels.fields if f.name.startswith("current_")]
    for n, (name, colour) in enumerate(zip(names, WHEEL_COLOURS, strict=False)):
        # widest first, so that wheels drawing the same current all stay visible
        ax.plot(minutes, wheels.column(name), color=colour, lw=3.2 - 0.45 * n,
                label=name.removeprefix("current_").upper())  # fmt: skip
    _limits(ax, _field(wheels, names[0]))
    ax.set_ylabel(_label("current", _field(wheels, names[0])))
    ax.legend(ncol=4, fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)


def _attitude(ax: Axes, mob: PacketTable | None, start: float) -> None:
    ax.set_title("attitude")
    if mob is None or not len(mob):
        _empty(ax, "MOBILITY")
        return
    minutes = (mob.time - start) / 60
    ax.plot(minutes, mob.column("pitch"), label="pitch (nose up +)", color="#1f77b4")
    ax.plot(minutes, mob.column("roll"), label="roll (left up +)", color="#ff7f0e")
    ax.set_ylabel(_label("angle", _field(mob, "pitch")))
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)


def _battery(ax: Axes, power: PacketTable | None, start: float) -> None:
    ax.set_title("battery state of charge")
    if power is None or not len(power):
        _empty(ax, "POWER")
        return
    field = _field(power, "battery_soc")
    ax.plot((power.time - start) / 60, power.column("battery_soc"), color="#2ca02c", label="SoC")
    _limits(ax, field)
    ax.set_ylabel(_label("charge", field))
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)


def _modes(ax: Axes, runs: Runs, start: float) -> None:
    ax.set_title("mode")
    ax.set_yticks([])
    if not runs:
        _empty(ax, "HK")
        return
    total = max(runs[-1][2] - runs[0][1], 1e-9)
    for mode, a, b in runs:
        left, width = (a - start) / 60, max((b - a) / 60, 1e-3)
        ax.broken_barh([(left, width)], (0, 1), color=MODE_COLOURS.get(mode, "black"))
        if (b - a) / total > 0.06:  # name the runs wide enough to hold it
            ax.text(left + width / 2, 0.5, mode, ha="center", va="center", color="white",
                    fontsize=9, fontweight="bold")  # fmt: skip
    ax.set_ylim(0, 1)
