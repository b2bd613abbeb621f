"""The console's interpreter: one line at a time, typed or read from a script.

A line is a flight command (`DRIVE distance=2 speed=0.04 radius=0`, checked before anything is
sent) or one of the console's own words (tools.console.completion.VERBS). Typed commands return at
once and their verification is shown as it arrives; in a script each command waits for its final
report (`timeout S` at the end of the line, default 60 s), so the next line sees its effect.
Every mistake is one line saying why; nothing typed can raise.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console, RenderableType
from rich.text import Text

from fsw.packets.reasons import PacketError
from tools.console import render
from tools.console.cmdlog import CommandLog
from tools.console.completion import VERBS
from tools.console.losqueue import LosQueue, wait_held
from tools.console.pager import page
from tools.console.upload import upload
from tools.ground.cmdline import (
    CommandLine,
    CommandLineError,
    check_rules,
    parse_words,
    seconds,
    split,
    split_timeout,
)
from tools.ground.conditions import parse_condition
from tools.ground.link import LinkDown
from tools.ground.names import command_names
from tools.ground.session import GroundError, Session
from tools.ground.state import SentCommand, Update

COMMAND_TIMEOUT = 60.0  # s a script command waits for its final report
WAIT_TIMEOUT = 60.0  # s a `wait` line waits unless it says otherwise
MAX_SCRIPT_DEPTH = 8

Confirm = Callable[[str], bool]
"""Asks the operator a yes/no question."""


class Quit(Exception):
    """The operator asked to leave."""


class Operator:
    """Runs console lines against a session and shows what happens on a rich console."""

    def __init__(
        self,
        session: Session,
        screen: Console,
        *,
        confirm: Confirm | None = None,
        command_log: CommandLog | None = None,
    ) -> None:
        self.session = session
        self.screen = screen
        self.confirm = confirm
        self.command_log = command_log
        if command_log is not None:  # a full disk: said once, and the console goes on
            command_log.on_failed = lambda why: self.error(f"not logging commands: {why}")
        self.mark = 0  # events before this were there before the last command went out
        self.link_state: Callable[[], str] | None = None  # the relay's state, with --relay
        self.more: Callable[[str], bool] | None = None  # asks to go on after a screen (a person)
        self.los: LosQueue | None = None  # holds commands typed in a relay LOS, with --relay
        self._depth = 0
        self.names = command_names(session.dictionary.commands)  # events name commands
        session.listeners.append(self.show_update)
        session.on_sent.append(self.show_sent)
        session.on_recording_stopped.append(self.recording_stopped)

    # ---- output ---------------------------------------------------------------------------

    def show(self, renderable: RenderableType) -> None:
        """Print something."""
        self.screen.print(renderable, soft_wrap=True)  # a line stays one line; the terminal wraps

    def show_paged(self, renderables: list[RenderableType]) -> None:
        """Print things a screen at a time for a person (`more`), all at once otherwise."""
        page(self.screen, renderables, self.more)

    def error(self, text: str) -> None:
        """Print a one-line reason."""
        self.screen.print(Text(text, style="red"), soft_wrap=True)

    def show_update(self, update: Update) -> None:
        """Show an event or a verification stage as it arrives (from any thread)."""
        packet = update.packet
        if packet.kind == "event":
            self.show(render.event_line(packet, self.names))
        elif update.command is not None:
            self.show(render.verification_line(update.command, packet.time))
            if update.command.final is not None and self.command_log is not None:
                self.command_log.write(update.command)
        if self.los is not None and self.los.held and not update.playback:  # live again: AOS
            self.los.tick()

    def recording_stopped(self, why: str) -> None:
        """Say once that the log takes no more (disk full); the console goes on displaying."""
        self.error(f"not recording: {why}; telemetry is still shown")

    def status_line(self) -> str:
        """The bottom line of the screen: the relay's state (with --relay), commands held for
        AOS, what the downlink verifier refused or could not verify, and whether the console is
        recording."""
        parts = [self.link_state()] if self.link_state is not None else []
        if self.los is not None:
            with self.session.lock:
                self.los.tick()
                if self.los.held:
                    parts.append(f"{len(self.los.held)} held for AOS (`queue`)")
        verifier = self.session.verifier
        if verifier is not None and (verifier.refused or verifier.key is None):
            parts.append(verifier.summary())  # what is wrong; all well is said by `status`
        if self.session.not_recording is not None:
            parts.append(f"not recording: {self.session.not_recording}")
        return " · ".join(parts)

    def show_sent(self, sent: SentCommand) -> None:
        """Show a command going out (before any of its reports)."""
        when = render.clock(self.session.state.time)
        self.show(Text(f"{when} [{sent.seq}] {sent.text} sent", style="dim"))

    # ---- lines ----------------------------------------------------------------------------

    def execute(self, line: str, *, script: bool = False) -> bool:
        """Run one line; whether it did what it said (a command completed, a wait was met)."""
        try:
            words = split(line)
            if not words:
                return True
            verb = words[0].lower()
            handler = getattr(self, f"_verb_{verb}", None)
            if handler is not None and verb in VERBS:
                return bool(handler(words[1:], script))
            if verb == "exit":
                raise Quit
            return self._command(words, script, confirmed=False)
        except (CommandLineError, GroundError, LinkDown, OSError) as err:
            self.error(str(err))
            return False
        except KeyboardInterrupt:
            self.error("interrupted")
            return False

    def _command(self, words: list[str], script: bool, *, confirmed: bool) -> bool:
        words, timeout = (
            split_timeout(words, COMMAND_TIMEOUT) if script else (words, COMMAND_TIMEOUT)
        )
        command = parse_words(self.session.dictionary, words)
        with self.session.lock:
            known = dict(self.session.state.params)
        check_rules(self.session.dictionary, command, known)  # as the rover would judge it
        definition = command.definition
        if definition.hazardous and not confirmed:
            question = f"{definition.name} is hazardous: {definition.hazard.rstrip('.')}. Send it?"
            if script or self.confirm is None:
                self.error(
                    f"{definition.name} is hazardous ({definition.hazard}): not sent; "
                    f"write `confirm {command.text()}` to send it from a script"
                )
                return False
            if not self.confirm(question):
                self.error(f"{definition.name} not sent")
                return False
        if self.los is not None:
            with self.session.lock:
                held = self.los.hold(command) if self.los.blocked() else None
            if held is not None:
                return wait_held(self, held, timeout) if script else True
        sent = self.send_command(command, script, timeout)
        return sent is not None and (not script or self.finish(sent, timeout))

    def send_command(
        self, command: CommandLine, script: bool = False, timeout: float = COMMAND_TIMEOUT
    ) -> SentCommand | None:
        """Send a command (after its ARM, if hazardous); None if its ARM failed (a script)."""
        self.mark = self.session.event_cursor()
        if command.definition.hazardous and not self._arm(command, script, timeout):
            return None
        return self.session.send(command)

    def finish(self, sent: SentCommand, timeout: float) -> bool:
        """Wait for a sent command's final report (a script); whether it COMPLETED."""
        final = self.session.await_final(sent, timeout)
        if final is None:
            self.error(f"[{sent.seq}] {sent.name}: no final report within {timeout:g} s "
                       f"(last: {sent.stage})")  # fmt: skip
            if self.command_log is not None:
                self.command_log.write(sent)
            return False
        return final == "COMPLETED"

    def _arm(self, command: CommandLine, script: bool, timeout: float) -> bool:
        """Send the ARM a hazardous command needs (the rover refuses it otherwise); in a script,
        wait for the ARM to complete first. Whether the command may follow."""
        definition = self.session.dictionary.command("ARM")
        arm = CommandLine(definition, definition.check_args({"command": command.name}))
        sent = self.session.send(arm)
        if not script:
            return True  # sent back to back: the rover takes them in order
        final = self.session.await_final(sent, timeout)
        if final != "COMPLETED":
            self.error(f"{command.name} not sent: its ARM ended {sent.outcome()}")
            return False
        return True

    # ---- the console's own words ----------------------------------------------------------

    def _verb_confirm(self, words: list[str], script: bool) -> bool:
        if not words:
            raise CommandLineError("confirm what? (confirm COMMAND args...)")
        return self._command(words, script, confirmed=True)

    def _verb_help(self, words: list[str], _script: bool) -> bool:
        d = self.session.dictionary
        if not words:
            self.show(render.commands_table(d.commands, VERBS))
        elif words[0].lower() in VERBS:
            self.show(f"{words[0].lower()}: {VERBS[words[0].lower()]}")
        else:
            try:
                self.show(render.command_help(d.command(words[0])))
            except PacketError as err:  # names the near ones
                raise CommandLineError(err.message) from None
        return True

    def _verb_tlm(self, words: list[str], _script: bool) -> bool:
        d, state = self.session.dictionary, self.session.state
        if len(words) > 1:
            raise CommandLineError("tlm [PACKET | PACKET.FIELD]")
        name, _, field = words[0].partition(".") if words else ("", "", "")
        if name:
            try:
                definitions = [d.telemetry_packet(name)]
            except PacketError as err:
                raise CommandLineError(err.message) from None
        else:
            definitions = [t for t in d.telemetry if t.name != "CMD_VERIFY"]
        if field:
            packet = state.latest.get(definitions[0].name)
            try:
                self.show(render.field_line(definitions[0], field, packet, state.time))
            except ValueError as err:
                raise CommandLineError(str(err)) from None
            return True
        tables: list[RenderableType] = [
            render.telemetry_table(t, state.latest.get(t.name), state.time) for t in definitions
        ]
        broken = render.out_of_limits(definitions, state.latest)
        if broken and not words:
            tables.append(Text("out of limits: " + "; ".join(broken), style="bold red"))
        self.show_paged(tables)
        return True

    def _verb_events(self, words: list[str], _script: bool) -> bool:
        if words and not words[0].isdigit():
            raise CommandLineError(f"events N: {words[0]!r} is not a whole number")
        count = int(words[0]) if words else 20
        events = self.session.state.events[-count:] if count else []
        for event in events:
            self.show(render.event_line(event, self.names))
        if not events:
            self.show(Text("no events yet", style="dim"))
        return True

    def _verb_history(self, _words: list[str], _script: bool) -> bool:
        for sent in self.session.sent:
            self.show(render.history_line(sent))
        if not self.session.sent:
            self.show(Text("no commands sent yet", style="dim"))
        return True

    def _verb_status(self, _words: list[str], _script: bool) -> bool:
        s = self.session
        link = getattr(s, "link", None)
        parts = []
        if link is not None:
            parts.append(f"link {link.url} {'up' if link.connected else 'DOWN'}")
        with s.lock:  # the reader thread adds to these
            received = sum(s.state.counts.values())
            undecodable = sum(s.undecodable.values())
        if self.link_state is not None:
            parts.append(self.link_state())
        parts.append(f"{received} packets received")
        if undecodable:
            parts.append(f"{undecodable} undecodable")
        if s.verifier is not None:
            with s.lock:
                parts.append(s.verifier.summary())
        parts.append(f"{len(s.sent)} commands sent")
        if self.los is not None and self.los.held:
            parts.append(f"{len(self.los.held)} held for AOS")
        parts.append(f"rover time {render.clock(s.state.time)} UTC")
        mode = s.state.value("HK", "mode")
        if mode is not None:
            parts.append(f"mode {mode}")
        if s.recorder is not None:
            parts.append(f"recording to {s.recorder.path}")
        elif s.not_recording is not None:
            parts.append(f"not recording: {s.not_recording}")
        self.show(", ".join(parts))
        return True

    def _verb_queue(self, _words: list[str], _script: bool) -> bool:
        with self.session.lock:
            lines = self.los.lines() if self.los is not None else []
        for line in lines:
            self.show(Text(line))  # not markup: [held 1] is text
        if not lines:
            self.show(Text("nothing held for AOS", style="dim"))
        return True

    def _verb_wait(self, words: list[str], _script: bool) -> bool:
        words, timeout = split_timeout(words, WAIT_TIMEOUT)
        if not words:
            raise CommandLineError("wait until CONDITION | wait event NAME | wait SECONDS")
        kind = words[0].lower()
        if kind == "until":
            condition = parse_condition(self.session.dictionary, words[1:])
            if self.session.await_condition(condition, timeout):
                self.show(Text(f"met: {condition.text()}", style="green"))
                return True
            self.error(f"not met within {timeout:g} s: {condition.text()} "
                       f"({condition.seen(self.session.state.shown)})")  # fmt: skip
            return False
        if kind == "event":
            if len(words) != 2:
                raise CommandLineError("wait event NAME [timeout S]")
            try:
                name = self.session.dictionary.event(words[1]).name
            except PacketError as err:
                raise CommandLineError(err.message) from None
            event = self.session.await_event(name, timeout, since=self.mark)
            if event is not None:
                self.mark = self.session.state.events.index(event) + 1
                self.show(Text(f"met: event {name}", style="green"))
                return True
            self.error(f"no {name} event within {timeout:g} s")
            return False
        if len(words) == 1:
            pause = seconds(words[0], "wait")
            self.session.wait_for(lambda: False, pause)
            return True
        raise CommandLineError(f"wait {kind}? (wait until ..., wait event ..., wait SECONDS)")

    def _verb_run(self, words: list[str], _script: bool) -> bool:
        if len(words) != 1:
            raise CommandLineError("run FILE")
        return self.run_script(Path(words[0]).expanduser())

    def _verb_upload(self, words: list[str], script: bool) -> bool:
        words, timeout = split_timeout(words, COMMAND_TIMEOUT)
        return upload(self, words, script, timeout)

    def _verb_quit(self, _words: list[str], _script: bool) -> bool:
        raise Quit

    # ---- scripts --------------------------------------------------------------------------

    def run_script(self, path: Path) -> bool:
        """Run a script line by line; stop at the first line that fails, saying where."""
        if self._depth >= MAX_SCRIPT_DEPTH:
            raise CommandLineError(f"{path}: scripts nested more than {MAX_SCRIPT_DEPTH} deep")
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise CommandLineError(
                f"{path}: cannot read ({getattr(err, 'strerror', err)})"
            ) from None
        started = time.monotonic()
        self._depth += 1
        try:
            for number, text in enumerate(lines, 1):
                if not text.strip() or text.lstrip().startswith("#"):
                    continue
                self.show(Text(f"{path.name}:{number}> {text.strip()}", style="bold blue"))
                if not self.execute(text, script=True):
                    self.error(f"{path}:{number}: failed; script stopped")
                    return False
        finally:
            self._depth -= 1
        self.show(Text(f"{path.name}: done in {time.monotonic() - started:.1f} s",
                       style="green"))  # fmt: skip
        return True
