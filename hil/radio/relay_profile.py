"""Relay link profiles: the figures a relay model runs on (light-time, rates, bit error rate, frame
loss, loss-of-signal windows, seed), the named profiles, and their text and TOML forms.

A profile is data; `hil.radio.relay` turns it into a model. Every bad value is refused with a
ValueError of one line naming the field, so `rover fsw --relay ...` can print it as it is.

Text forms (the `--relay-*` options and TOML keys share them):
- rates in bit/s, with an optional k or M suffix: `125`, `285k`, `2.5M`; `inf`: no limit;
- LOS windows as START+DURATION seconds from the start of the run, comma-separated:
  `600+300,3000+300`; with a period (`--relay-los-period 7200`) they repeat every period.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

INF = math.inf


@dataclass(frozen=True)
class LosWindow:
    """One scheduled loss of signal: from `start` s after the run's start, for `duration` s."""

    start: float
    duration: float

    @property
    def end(self) -> float:
        """When contact comes back (s after the run's start)."""
        return self.start + self.duration

    def __str__(self) -> str:
        return f"{self.start:g}+{self.duration:g}"


@dataclass(frozen=True)
class RelayProfile:
    """Everything a relay model needs; see the module docstring for the units."""

    name: str = "none"
    delay: float = 0.0  # one-way light time, ground to rover and back (s)
    jitter: float = 0.0  # extra delay drawn uniformly in [0, jitter] per frame (s)
    uplink_rate: float = INF  # relay to rover (bit/s)
    downlink_rate: float = INF  # rover to relay (bit/s)
    ber: float = 0.0  # probability that each bit is flipped
    loss: float = 0.0  # probability that a whole frame vanishes
    los: tuple[LosWindow, ...] = ()
    los_period: float | None = None  # the windows repeat every this many s (None: once)
    backlog: float = 600.0  # a frame that would wait longer than this for the channel is dropped
    seed: int | None = None  # None: the run's own seed (or 0)

    def __post_init__(self) -> None:
        check(self)

    @property
    def is_lab(self) -> bool:
        """Whether this is a perfect link (no delay, no limit, no loss): the relay is left out."""
        return self == replace(NONE, name=self.name, seed=self.seed, backlog=self.backlog)

    def describe(self) -> str:
        """One line for a start-up message."""
        parts = [f"relay {self.name}: light-time {self.delay:g} s"]
        if self.jitter:
            parts[0] += f" (+0..{self.jitter:g} s)"
        parts.append(f"up {rate_text(self.uplink_rate)}, down {rate_text(self.downlink_rate)}")
        if self.ber:
            parts.append(f"BER {self.ber:g}")
        if self.loss:
            parts.append(f"frame loss {self.loss:g}")
        if self.los:
            windows = ",".join(str(w) for w in self.los)
            every = f" every {self.los_period:g} s" if self.los_period else ""
            parts.append(f"LOS {windows}{every}")
        if self.seed is not None:
            parts.append(f"seed {self.seed}")
        return ", ".join(parts)


QUEQIAO_UPLINK = 125.0  # bit/s, Queqiao relay to rover
QUEQIAO_DOWNLINK = 285_000.0  # bit/s, rover to Queqiao (its fastest; also 0.7k and 140k)
QUEQIAO_DELAY = 1.75  # s, Earth to rover through the relay (about 1.7-1.8 s)


def _bad(field: str, value: object, why: str) -> ValueError:
    return ValueError(f"relay {field} {value!r}: {why}")


def check(p: RelayProfile) -> None:
    """Refuse a profile that cannot be: ValueError naming the field and why."""
    for name in ("delay", "jitter", "backlog"):
        v = getattr(p, name)
        if not (isinstance(v, int | float) and v >= 0 and not math.isnan(v)):
            raise _bad(name, v, "give a number of seconds, 0 or more")
    for name in ("delay", "jitter"):
        if not math.isfinite(getattr(p, name)):
            raise _bad(name, getattr(p, name), "give a finite number of seconds")
    for name in ("uplink_rate", "downlink_rate"):
        v = getattr(p, name)
        if not (isinstance(v, int | float) and v > 0):
            raise _bad(name, v, "give a positive rate in bit/s (or inf)")
    for name in ("ber", "loss"):
        v = getattr(p, name)
        if not (isinstance(v, int | float) and 0 <= v <= 1):
            raise _bad(name, v, "give a probability from 0 to 1")
    if p.seed is not None and (isinstance(p.seed, bool) or not isinstance(p.seed, int)):
        raise _bad("seed", p.seed, "give a whole number")
    _check_los(p.los, p.los_period)


def _check_los(windows: tuple[LosWindow, ...], period: float | None) -> None:
    for w in windows:
        if not (math.isfinite(w.start) and w.start >= 0):
            raise _bad("LOS window", str(w), "the start must be 0 or more seconds")
        if not (math.isfinite(w.duration) and w.duration > 0):
            raise _bad("LOS window", str(w), "the duration must be more than 0 s")
    ordered = sorted(windows, key=lambda w: w.start)
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            raise _bad("LOS window", str(b), f"overlaps {a} (windows must not overlap)")
    if period is None:
        return
    if not (math.isfinite(period) and period > 0):
        raise _bad("LOS period", period, "give a positive number of seconds")
    if not windows:
        raise _bad("LOS period", period, "a period needs LOS windows to repeat")
    if ordered[-1].end > period:
        raise _bad("LOS window", str(ordered[-1]), f"ends after the period of {period:g} s")


def rate_text(rate: float) -> str:
    """A rate as people write it: 125 bit/s, 285 kbit/s, unlimited."""
    if math.isinf(rate):
        return "unlimited"
    for scale, prefix in ((1e6, "M"), (1e3, "k")):
        if rate >= scale:
            return f"{rate / scale:g} {prefix}bit/s"
    return f"{rate:g} bit/s"


def parse_rate(text: str, field: str) -> float:
    """`125`, `285k`, `2.5M` or `inf` as bit/s."""
    body, scale = text.strip(), 1.0
    if body[-1:] in ("k", "K", "M"):
        body, scale = body[:-1], 1e3 if body[-1] in "kK" else 1e6
    try:
        value = float(body) * scale
    except ValueError:
        raise _bad(field, text, "give bit/s, e.g. 125, 285k or 2.5M (or inf)") from None
    if not value > 0:
        raise _bad(field, text, "give a positive rate in bit/s (or inf)")
    return value


def parse_number(text: str, field: str) -> float:
    """A float from an option, or a ValueError naming it."""
    try:
        value = float(text)
    except ValueError:
        raise _bad(field, text, "give a number") from None
    if math.isnan(value):
        raise _bad(field, text, "give a number")
    return value


def parse_los(text: str) -> tuple[LosWindow, ...]:
    """`600+300,3000+300` (START+DURATION s after the run's start); empty or `none`: no LOS."""
    if text.strip().lower() in ("", "none"):
        return ()
    windows = []
    for part in text.split(","):
        start, plus, duration = part.strip().partition("+")
        try:
            if not plus:
                raise ValueError
            windows.append(LosWindow(float(start), float(duration)))
        except ValueError:
            raise _bad(
                "LOS window", part.strip(), "give START+DURATION in seconds, e.g. 600+300"
            ) from None
    return tuple(windows)


def _seed(value: object) -> int:
    try:
        if isinstance(value, float | bool):
            raise ValueError
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise _bad("seed", value, "give a whole number") from None


_PARSERS = {
    "delay": lambda v: parse_number(v, "delay"),
    "jitter": lambda v: parse_number(v, "jitter"),
    "uplink_rate": lambda v: parse_rate(v, "uplink_rate"),
    "downlink_rate": lambda v: parse_rate(v, "downlink_rate"),
    "ber": lambda v: parse_number(v, "ber"),
    "loss": lambda v: parse_number(v, "loss"),
    "los": parse_los,
    "los_period": lambda v: None if v.lower() == "none" else parse_number(v, "los_period"),
    "backlog": lambda v: parse_number(v, "backlog"),
    "seed": _seed,
}
FIELDS = tuple(_PARSERS)
"""What a profile can override, by name (TOML keys and `--relay-*` options share them)."""


def with_overrides(base: RelayProfile, texts: dict[str, str]) -> RelayProfile:
    """`base` with fields given as text (from options): ValueError on the first bad one."""
    changes: dict[str, Any] = {}
    for key, text in texts.items():
        if key not in _PARSERS:
            raise _bad("field", key, f"not one of {', '.join(FIELDS)}")
        changes[key] = _PARSERS[key](text)
    return replace(base, **changes)


def from_toml(path: Path) -> RelayProfile:
    """A profile file: optional `base = "queqiao"`, then any of FIELDS (numbers, rates as
    numbers or text such as "285k", `los = [[600, 300], [3000, 300]]` or "600+300,...")."""
    try:
        data = tomllib.loads(path.read_text())
    except OSError as err:
        raise ValueError(f"relay profile {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"relay profile {path}: not TOML ({err})") from None
    try:
        return _from_table(data, path.stem)
    except ValueError as err:
        raise ValueError(f"relay profile {path}: {err}") from None


def _from_table(data: dict[str, Any], name: str) -> RelayProfile:
    base = data.pop("base", "none")
    if not isinstance(base, str) or base not in PROFILES:
        raise ValueError(f"base {base!r} is not one of {', '.join(PROFILES)}")
    texts: dict[str, str] = {}
    changes: dict[str, Any] = {"name": str(data.pop("name", name))}
    for key, value in data.items():
        if key == "los" and isinstance(value, list):
            try:
                changes["los"] = tuple(LosWindow(float(s), float(d)) for s, d in value)
            except (TypeError, ValueError):
                raise _bad("los", value, "give [[START, DURATION], ...] in seconds") from None
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            texts[key] = str(value)
        else:
            raise _bad(key, value, "give a number or text")
    return with_overrides(replace(PROFILES[base], **changes), texts)


def named(name: str) -> RelayProfile:
    """A named profile, or a profile file (*.toml); ValueError listing the names otherwise."""
    if name in PROFILES:
        return PROFILES[name]
    if name.endswith(".toml"):
        return from_toml(Path(name))
    raise ValueError(
        f"--relay {name!r}: not a profile; give one of {', '.join(PROFILES)}, or a .toml file"
    )


NONE = RelayProfile()
QUEQIAO = RelayProfile(
    name="queqiao",
    delay=QUEQIAO_DELAY,
    uplink_rate=QUEQIAO_UPLINK,
    downlink_rate=QUEQIAO_DOWNLINK,
)
PROFILES = {"none": NONE, "queqiao": QUEQIAO}
"""The named profiles: a lab link, and the Queqiao relay's figures (no loss, no LOS: add them)."""
