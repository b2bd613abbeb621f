"""The `--relay` options `rover fsw` and `rover console` share: a profile by name or file, and
any of its fields overridden (`--relay queqiao --relay-loss 0.05 --relay-los 600+300`)."""

from __future__ import annotations

import argparse

from hil.radio.relay_profile import FIELDS, PROFILES, RelayProfile, named, with_overrides

_HELP = {
    "delay": ("S", "one-way light-time, ground to rover (queqiao: 1.75)"),
    "jitter": ("S", "extra delay per frame, drawn from 0..S (default 0)"),
    "uplink_rate": ("BIT/S", "relay to rover rate: 125, 2k, 1.5M or inf (queqiao: 125)"),
    "downlink_rate": ("BIT/S", "rover to relay rate (queqiao: 285k)"),
    "ber": ("P", "bit error rate: each bit flipped with probability P (e.g. 1e-5)"),
    "loss": ("P", "probability that a whole frame is lost (0..1)"),
    "los": (
        "START+DUR,...",
        "loss-of-signal windows, seconds from the start of the run (e.g. 600+300,3000+300)",
    ),
    "los_period": ("S", "the LOS windows repeat every S seconds (default: once)"),
    "backlog": ("S", "a frame that would queue longer than S is dropped (default 600)"),
    "seed": ("N", "seed of the relay's draws (default: the run's seed)"),
}


def _option(field: str) -> str:
    return "--relay-" + field.replace("_", "-")


def add_relay_options(parser: argparse.ArgumentParser) -> None:
    """--relay PROFILE and its --relay-FIELD overrides."""
    group = parser.add_argument_group(
        "relay link",
        "The relay between ground and rover (Queqiao on the far side): light-time, data rates, "
        "bit errors, frame loss and scheduled loss-of-signal windows.",
    )
    group.add_argument(
        "--relay",
        metavar="PROFILE",
        default="none",
        help=f"{' or '.join(PROFILES)} (default none: a lab link), or a profile FILE.toml "
        '(optional `base = "queqiao"`, then any field below by its name with _)',
    )
    for field in FIELDS:
        metavar, text = _HELP[field]
        group.add_argument(_option(field), metavar=metavar, dest=f"relay_{field}", help=text)


def relay_profile(args: argparse.Namespace) -> RelayProfile | None:
    """The profile the options ask for; None for a perfect lab link (no relay in between)."""
    base = named(args.relay)
    given = {f: getattr(args, f"relay_{f}") for f in FIELDS}
    profile = with_overrides(base, {f: v for f, v in given.items() if v is not None})
    return None if profile.is_lab else profile
