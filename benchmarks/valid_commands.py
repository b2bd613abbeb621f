"""Random but valid commands from the command table, for the fuzzing corpus and the soak.

Every argument is drawn inside what the flight software accepts: an enum field gets one of its
members, a number field a value inside its range (or its wire type's range when it has none), and
SET_PARAM a parameter with a value inside that parameter's own row. Whether the rover's mode or
state lets the command through is left to the flight software: that is what is exercised.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from typing import Any

from fsw.packets.schema import CommandDef, Field
from fsw.tables import CATALOG
from fsw.tables.params import PARAMS

_FLOAT_SPAN = 1.0e6
"""Unbounded float arguments are drawn within +-this (anything larger says nothing more)."""


def random_value(arg: Field, rng: random.Random) -> int | float:
    """A value of `arg` inside its valid range (an enum member's number for enum fields)."""
    if arg.enum is not None:
        return int(rng.choice(list(arg.enum)))
    wire = arg.wire
    low = wire.lowest if arg.min is None else arg.min
    high = wire.highest if arg.max is None else arg.max
    if wire.kind == "float":
        low, high = max(low, -_FLOAT_SPAN), min(high, _FLOAT_SPAN)
        edge = rng.random()
        if edge < 0.05:  # the bounds themselves are valid and worth sending
            return float(low)
        if edge < 0.10:
            return float(high)
        return rng.uniform(low, high)
    return rng.randint(int(low), int(high))


def random_args(
    command: CommandDef, rng: random.Random, skip_params: Collection[str] = ()
) -> dict[str, Any]:
    """Valid arguments for `command`; SET_PARAM picks a parameter not in `skip_params`."""
    if command.name == "SET_PARAM":
        row = rng.choice([p for p in PARAMS if p.name not in skip_params])
        if row.whole:
            value: float = float(rng.randint(int(row.min), int(row.max)))
        else:
            value = rng.uniform(row.min, row.max)
        return {"param": row.id, "value": value}
    if command.name == "GET_PARAM":
        return {"param": rng.choice(PARAMS).id}
    args = {arg.name: random_value(arg, rng) for arg in command.args}
    if command.name == "TURN_IN_PLACE" and args["angle"] == 0:
        args["angle"] = 1.0  # "not 0" is the handler's own rule
    return args


def valid_packets(rng: random.Random, per_command: int = 8) -> list[bytes]:
    """Command packets with valid arguments: `per_command` of every command in the table."""
    out = []
    for seq, command in enumerate(c for c in CATALOG.commands for _ in range(per_command)):
        out.append(CATALOG.encode_command(command, random_args(command, rng), seq & 0x3FFF))
    return out
