"""The operator console: a prompt_toolkit REPL (completion, history across sessions) over a live
session, or a script run without a prompt. Output goes through one rich console, printed above
the prompt while the operator types, so events and verification never garble the line."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit import prompt as ask
from prompt_toolkit.history import FileHistory
from prompt_toolkit.patch_stdout import patch_stdout
from rich.console import Console
from rich.text import Text

from fsw.security import Key
from hil.radio.relay_profile import RelayProfile
from tools.console.cmdlog import CommandLog
from tools.console.completion import ConsoleCompleter
from tools.console.losqueue import DEFAULT_TIMEOUT, LosQueue, attach
from tools.console.operator import Operator, Quit
from tools.dictionary import Dictionary
from tools.ground.cmdline import CommandLineError
from tools.ground.linkwatch import LinkWatch
from tools.ground.session import LinkSession
from tools.ground.verifier import Verdict

BANNER = (
    "rover console: `help` lists the commands, TAB completes, ^D leaves; times are the rover's "
    "clock (UTC), here and in commands.log"
)


def startup_error(text: str) -> None:
    """Say why the console cannot start, on standard error (standard output is the session)."""
    print(f"rover console: {text}", file=sys.stderr, flush=True)


def recording_path(directory: Path) -> Path:
    """A new recording's name: console-<UTC time>.tlm under the state directory's logs/."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return directory / "logs" / f"console-{stamp}.tlm"


def make_screen() -> Console:
    """The console's output: colour on a terminal, plain text in a pipe or a file."""
    tty = sys.stdout.isatty()
    return Console(force_terminal=tty or None, no_color=not tty, highlight=False,
                   soft_wrap=True)  # fmt: skip


def still_running(operator: Operator) -> list[str]:
    """What is under way that leaving would walk away from: this console's commands that
    started and have not finished, and a motion the rover reports."""
    session = operator.session
    with session.lock:
        mine = [f"[{c.seq}] {c.text} ({c.stage})" for c in session.sent
                if c.final is None and c.stage in ("STARTED", "PROGRESS")]  # fmt: skip
        motion = session.state.value("MOBILITY", "motion")
    if motion not in (None, "IDLE") and not mine:
        mine.append(f"the rover reports motion {motion}")
    return mine


def interactive(operator: Operator, history: Path) -> None:
    """Read lines from the operator until quit or ^D."""
    session = operator.session
    prompt: PromptSession[str] = PromptSession(
        history=FileHistory(str(history)),
        completer=ConsoleCompleter(session.dictionary),
        complete_while_typing=False,
        bottom_toolbar=lambda: operator.status_line() or None,  # relay, downlink, recording
    )

    def message() -> str:
        link = getattr(session, "link", None)
        if link is not None and not link.connected:
            return "rover (link down)> "
        mode = session.state.value("HK", "mode")
        return f"rover {mode}> " if mode else "rover> "

    def confirm(question: str) -> bool:
        answer = ask(f"{question} [y/N] ")
        return answer.strip().lower() in ("y", "yes")

    def more(question: str) -> bool:
        return ask(question).strip().lower() not in ("q", "quit", "n", "no")

    operator.confirm = confirm
    operator.more = more
    operator.show(Text(BANNER, style="dim"))
    leaving = False  # ^D was pressed once while something ran
    with patch_stdout(raw=True):
        while True:
            try:
                line = prompt.prompt(message, refresh_interval=0.5)
            except KeyboardInterrupt:
                continue
            except EOFError:
                running = still_running(operator)
                if leaving or not running:
                    return
                operator.error(f"still running: {'; '.join(running)}. ^D again leaves (it goes "
                               "on without you); STOP stops it")  # fmt: skip
                leaving = True
                continue
            leaving = False
            try:
                operator.execute(line)
            except Quit:
                return
            except Exception as err:  # a bug of ours: say so in one line, keep the console
                operator.error(f"console error ({type(err).__name__}: {err}); please report it")


def _watch(session: LinkSession, relay: RelayProfile, status: Callable[[str], None]
           ) -> LinkWatch:  # fmt: skip
    """Follow the relay link's state from what the session takes in."""
    watch = LinkWatch(relay)
    session.listeners.insert(0, watch.update)  # before the operator looks at the LOS queue
    status(relay.describe())
    return watch


REFUSAL_QUIET = 5.0
"""s between lines about refused telemetry of a kind already announced (a flood stays readable)."""


def _downlink_line(key: Key | None) -> str:
    """What the console believes of telemetry, said at start-up."""
    if key is None:
        return ("downlink NOT verified (no key): telemetry is shown unverified, and a relay "
                "could forge it (give --key to verify)")  # fmt: skip
    return f"downlink verified with key SPI {key.spi}: forged or plain telemetry is refused"


def _refusal_announcer(session: LinkSession, screen: Console) -> Callable[[Verdict], None]:
    """Say refused telemetry on the screen: each kind the first time, then at most once every
    REFUSAL_QUIET s with the running count (called on the link's thread, session lock held)."""
    said: dict[object, float] = {}

    def announce(verdict: Verdict) -> None:
        now = time.monotonic()
        if now - said.get(verdict.refusal, -REFUSAL_QUIET) < REFUSAL_QUIET:
            return
        said[verdict.refusal] = now
        verifier = session.verifier
        refusal = verdict.refusal
        count = verifier.refused[refusal] if verifier is not None and refusal is not None else 0
        screen.print(Text(f"{verdict.why} [{count} so far; never shown or matched]",
                          style="bold red"), soft_wrap=True)  # fmt: skip

    return announce


def run_console(
    url: str,
    *,
    baudrate: int,
    script: Path | None,
    record: Path | None,
    directory: Path,
    dictionary_path: str | None,
    connect_timeout: float,
    key: Key | None = None,
    relay: RelayProfile | None = None,
    los_policy: str = "queue",
    los_timeout: float = DEFAULT_TIMEOUT,
) -> int:
    """The console's main job; the exit status (a script: 0 only if every line did its job).
    With a key every command is signed; without one they go bare (an --insecure rover only)."""
    dictionary = Dictionary.load(dictionary_path) if dictionary_path else Dictionary.from_flight()
    screen = make_screen()
    directory.mkdir(parents=True, exist_ok=True)

    def status(text: str) -> None:
        if script is not None and not session.link.opened and "cannot open" in text:
            return  # a script started beside the emulator: said only if the link never comes
        screen.print(Text(text, style="dim"), soft_wrap=True)

    session = LinkSession(
        dictionary, url, baudrate=baudrate, record=record, on_status=status, key=key
    )
    session.on_refused.append(_refusal_announcer(session, screen))
    status(_downlink_line(key))
    log = CommandLog(directory / "commands.log")
    operator = Operator(session, screen, command_log=log)
    if relay is not None:  # the pass schedule and light-time, known in advance
        watch = _watch(session, relay, status)
        operator.link_state = watch.line
        queue = LosQueue(watch.uplink_clear, watch.contact_in, session.now, policy=los_policy,
                         timeout=los_timeout)  # fmt: skip
        attach(operator, queue)
    if record is not None:
        status(f"recording every packet to {record}")
    session.start()
    try:
        if script is None:
            interactive(operator, directory / "history")
            return 0
        if not session.link.wait_connected(connect_timeout):
            why = f" ({session.link.last_error})" if session.link.last_error else ""
            startup_error(f"link {url} did not come up within {connect_timeout:g} s{why}")
            return 1
        try:
            ok = operator.run_script(script)
        except Quit:
            ok = True
        except CommandLineError as err:  # the script itself cannot be read: one line
            operator.error(str(err))
            ok = False
        except Exception as err:  # a bad script line is already one line; this is anything else
            operator.error(f"{script}: console error ({type(err).__name__}: {err}); please "
                           "report it")  # fmt: skip
            ok = False
        return 0 if ok else 1
    finally:
        session.close()
        log.close([c for c in session.sent if c.final is None])
