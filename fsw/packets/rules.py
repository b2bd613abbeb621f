"""Checks on a command's arguments beyond each one's range, declared as data on the command's row
so that the flight software and any ground make them alike (the dictionary carries them).

Each rule is one of a few kinds, evaluated by `check_rules` against the parameters' values (the
flight software's live ones; the ground's best knowledge: the dictionary's defaults, updated from
PARAM_VALUE and PARAM_CHANGED events). What depends on the rover's state beyond its parameters
(the mode, a motion under way, which wheels are isolated) stays with the handlers.

    nonzero           `arg` may not be 0
    not_member        `arg` may not be enum member `member` (only while `when_arg` is one of
                      `when_in`, if given)
    zero_or_at_least  `arg` is 0, or its magnitude is at least parameter `param`
    multiple_of       `arg` is a whole number of `step`
    param_value       `arg` fits the range (and wholeness) of the parameter named by `select`,
                      and the ordered pairs `pairs` (first below second) still hold after it
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from fsw.packets.reasons import PacketError, Reason
from fsw.packets.types import number_text

KINDS = ("nonzero", "not_member", "zero_or_at_least", "multiple_of", "param_value")


class ParamRow(Protocol):
    """What a rule needs of a parameter's row (fsw.params.ParamDef)."""

    @property
    def name(self) -> str:
        """The parameter's name."""

    def check(self, value: float) -> float:
        """`value`, or a PacketError saying why the parameter may not take it."""


@dataclass(frozen=True)
class Rule:
    """One check on a command's arguments (see the module docstring for the kinds)."""

    kind: str
    arg: str
    why: str = ""  # the end of the refusal's message, said after the value
    param: str = ""
    member: str = ""
    when_arg: str = ""
    when_in: tuple[str, ...] = ()
    step: float = 0.0
    select: str = ""
    pairs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"rule on {self.arg}: unknown kind {self.kind!r} (one of {KINDS})")
        needs = {"zero_or_at_least": self.param, "not_member": self.member,
                 "param_value": self.select}  # fmt: skip
        if self.kind in needs and not needs[self.kind]:
            raise ValueError(f"rule {self.kind} on {self.arg}: says what it compares with")
        if self.kind == "multiple_of" and not self.step > 0:
            raise ValueError(f"rule multiple_of on {self.arg}: the step is above 0")

    def check_fits(self, command: str, args: tuple[Any, ...]) -> None:
        """A ValueError unless the arguments and enum values this rule names are `command`'s."""
        fields = {a.name: a for a in args}
        for name in (self.arg, self.when_arg, self.select):
            if name and name not in fields:
                raise ValueError(
                    f"command {command}: a {self.kind} rule names {name!r}, which is no argument"
                )
        named = [(self.arg, self.member)] + [(self.when_arg, m) for m in self.when_in]
        for name, member in named:
            enum = fields[name].enum if name else None
            if member and (enum is None or member not in enum.__members__):
                raise ValueError(f"command {command}: a {self.kind} rule names {member!r}, "
                                 f"which is no value of {name}")  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """The rule as the dictionary carries it: its kind, its argument, and what it uses."""
        out: dict[str, Any] = {"kind": self.kind, "arg": self.arg}
        for name in ("why", "param", "member", "when_arg", "select"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.when_in:
            out["when_in"] = list(self.when_in)
        if self.step:
            out["step"] = self.step
        if self.pairs:
            out["pairs"] = [list(p) for p in self.pairs]
        return out

    @classmethod
    def from_dict(cls, entry: Mapping[str, Any]) -> Rule:
        """A rule from its dictionary entry (a KeyError, TypeError or ValueError if malformed)."""
        known = {"kind", "arg", "why", "param", "member", "when_arg", "when_in", "step",
                 "select", "pairs"}  # fmt: skip
        unknown = set(entry) - known
        if unknown:
            raise ValueError(f"rule: unknown keys {sorted(unknown)}")
        return cls(
            str(entry["kind"]),
            str(entry["arg"]),
            str(entry.get("why", "")),
            str(entry.get("param", "")),
            str(entry.get("member", "")),
            str(entry.get("when_arg", "")),
            tuple(str(m) for m in entry.get("when_in", ())),
            float(entry.get("step", 0.0)),
            str(entry.get("select", "")),
            tuple((str(a), str(b)) for a, b in entry.get("pairs", ())),
        )


def check_rules(
    command: Any,
    values: Mapping[str, Any],
    params: Mapping[str, float],
    rows: Mapping[int, ParamRow],
) -> None:
    """A PacketError (reason, message, argument index) for the first of `command`'s rules that
    `values` (wire values) break, given the parameters' values `params` and their rows by id."""
    index = {a.name: i for i, a in enumerate(command.args)}
    fields = {a.name: a for a in command.args}
    for rule in command.rules:
        problem = _broken(command.name, rule, values, fields, params, rows)
        if problem is not None:
            reason, message = problem
            raise PacketError(reason, message, index[rule.arg])


def _broken(
    name: str,
    rule: Rule,
    values: Mapping[str, Any],
    fields: Mapping[str, Any],
    params: Mapping[str, float],
    rows: Mapping[int, ParamRow],
) -> tuple[Reason, str] | None:
    value, field = values[rule.arg], fields[rule.arg]
    unit = f" {field.unit}" if field.unit else ""
    shown = field.show(value)
    text = shown if isinstance(shown, str) else number_text(shown)
    if rule.kind == "nonzero":
        if value == 0:
            return Reason.INVALID_VALUE, f"{name}: {rule.arg} 0 {rule.why}".rstrip()
    elif rule.kind == "not_member":
        if rule.when_arg and fields[rule.when_arg].show(values[rule.when_arg]) not in rule.when_in:
            return None
        if shown == rule.member:
            return Reason.INVALID_VALUE, f"{name}: {rule.why or f'{rule.arg} {text} refused'}"
    elif rule.kind == "zero_or_at_least":
        low = params[rule.param]
        if value != 0 and abs(value) < low:
            return (
                Reason.OUT_OF_RANGE,
                f"{name}: {rule.arg} {text}{unit} is tighter than {rule.param} "
                f"{number_text(low)}{unit} {rule.why}".rstrip(),
            )
    elif rule.kind == "multiple_of":
        steps = value / rule.step
        if abs(steps - round(steps)) > 1e-3:  # f32 carries 4.2 as 4.19999981
            return (
                Reason.INVALID_VALUE,
                f"{name}: {text}{unit} is not a whole number of {number_text(rule.step)}{unit} "
                f"{rule.why}".rstrip(),
            )
    elif rule.kind == "param_value":
        return _param_value(name, rule, value, values[rule.select], params, rows)
    return None


def _param_value(
    name: str,
    rule: Rule,
    value: float,
    which: int,
    params: Mapping[str, float],
    rows: Mapping[int, ParamRow],
) -> tuple[Reason, str] | None:
    row = rows[which]
    try:
        row.check(value)
    except PacketError as err:
        return err.reason, f"{name} {err.message}"
    if not math.isfinite(value):
        return None
    proposed = {**params, row.name: value}
    for low, high in rule.pairs:
        if proposed[low] >= proposed[high]:
            return (
                Reason.OUT_OF_RANGE,
                f"{name}: {low} ({number_text(proposed[low])}) must stay below {high} "
                f"({number_text(proposed[high])})",
            )
    return None
