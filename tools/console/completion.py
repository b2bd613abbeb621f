"""Tab completion for the console, every word of it from the dictionary: command names, then
their argument names (`speed=`), then enum values (`wheel=LM`); telemetry packets and fields for
`tlm` and `wait until`, event names for `wait event`, file names for `run`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from tools.dictionary import Dictionary

VERBS = {
    "help": "help, or help COMMAND: what a command does, its arguments, units, ranges, hazard",
    "tlm": "tlm, tlm PACKET or tlm PACKET.FIELD: the latest telemetry with units and limits",
    "events": "events [N]: the last N events (default 20)",
    "history": "the commands sent in this session and what became of them",
    "status": "link state, packets received, commands sent",
    "queue": "the commands held for AOS while the relay is in LOS (with --relay)",
    "wait": "wait until PACKET.field OP VALUE [and ...] [timeout S] | wait event NAME "
    "[timeout S] | wait S",
    "run": "run FILE: run a script of console lines",
    "upload": "upload FILE [SLOT]: check a stored-sequence plan (TOML) and send it as SEQ_LOAD",
    "confirm": "confirm COMMAND ...: send a hazardous command without asking (for scripts)",
    "quit": "leave the console (also exit, or ^D)",
}
"""The console's own words, with what each does (shown by `help`)."""


class ConsoleCompleter(Completer):
    """Completes whatever word is under the cursor from the dictionary."""

    def __init__(self, dictionary: Dictionary) -> None:
        self.dictionary = dictionary
        self.commands = {c.name: c for c in dictionary.commands}
        self.packets = {t.name: t for t in dictionary.telemetry}
        self.events = [e.name for e in dictionary.events]
        self.paths = PathCompleter(expanduser=True)

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterator[Completion]:
        """The completions of the word before the cursor."""
        before = document.text_before_cursor
        words = before.split()
        if not before or before[-1].isspace():
            words.append("")
        current, done = words[-1], [w for w in words[:-1]]
        if done and done[0].lower() == "confirm":
            done = done[1:]
        if not done:
            yield from _matching(current, [*self.commands, *VERBS], upper=True)
            return
        first = done[0].lower()
        if first == "help":
            if len(done) == 1:
                yield from _matching(current, list(self.commands), upper=True)
        elif first == "tlm":
            if len(done) == 1 and "." in current:  # tlm HK.mode: one field
                packet = current.partition(".")[0].upper()
                fields = self.packets[packet].fields if packet in self.packets else ()
                yield from _matching(current, [f"{packet}.{f.name}" for f in fields], fold=True)
            elif len(done) == 1:
                yield from _matching(current, list(self.packets), upper=True)
        elif first in ("run", "upload"):
            sub = Document(current, len(current))
            yield from self.paths.get_completions(sub, complete_event)
        elif first == "wait":
            yield from self._wait(done[1:], current)
        elif first.upper() in self.commands:
            yield from self._argument(first.upper(), done[1:], current)

    def _wait(self, done: list[str], current: str) -> Iterator[Completion]:
        if not done:
            yield from _matching(current, ["until", "event"])
        elif done[0] == "event" and len(done) == 1:
            yield from _matching(current, self.events, upper=True)
        elif done[0] == "until":
            if done[-1] in ("==", "!=") and len(done) >= 2:
                enum = self._enum_of(done[-2])
                if enum:
                    yield from _matching(current, enum, upper=True)
                    return
            names = [f"{p}.{f.name}" for p, t in self.packets.items() for f in t.fields]
            if "." in current or current.upper() in self.packets:
                yield from _matching(current, names, fold=True)
            else:
                yield from _matching(current, ["timeout", "and", *self.packets], upper=False)

    def _enum_of(self, word: str) -> list[str]:
        packet, _, name = word.partition(".")
        definition = self.packets.get(packet.upper())
        for f in definition.fields if definition else ():
            if f.name == name.lower() and f.enum is not None:
                return [m.name for m in f.enum]
        return []

    def _argument(self, command: str, done: list[str], current: str) -> Iterator[Completion]:
        definition = self.commands[command]
        given = {w.partition("=")[0].lower() for w in done if "=" in w}
        name, equals, partial = current.partition("=")
        if equals:
            arg = next((a for a in definition.args if a.name == name.lower()), None)
            if arg is not None and arg.enum is not None:
                for member in _matching(partial, [m.name for m in arg.enum], upper=True):
                    yield Completion(
                        f"{name}={member.text}",
                        start_position=-len(current),
                        display=member.text,
                    )
            return
        free = [f"{a.name}=" for a in definition.args if a.name not in given]
        yield from _matching(current, free)


def _matching(
    partial: str, names: Iterable[str], *, upper: bool = False, fold: bool = False
) -> Iterator[Completion]:
    """Completions of `partial` among `names` (any case)."""
    key = partial.lower()
    for name in names:
        low = name.lower()
        if low.startswith(key):
            text = name if upper or fold or not partial.isupper() else name.upper()
            yield Completion(text, start_position=-len(partial))
