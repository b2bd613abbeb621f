"""`rover replay LOG --follow`: a recorded log fed to the console's display as if the rover were
live, at its recorded pace times `speed`: events and every command's verification as they come,
and, on a terminal, the console's prompt for `tlm`, `events`, `status` meanwhile."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from rich.text import Text

from tools.console.app import interactive, make_screen
from tools.console.operator import Operator
from tools.dictionary import Dictionary
from tools.ground.playback import PlaybackSession
from tools.statedir import state_dir


def follow(
    path: Path,
    *,
    speed: float,
    dictionary: Dictionary,
    state: Path | None = None,
    prompt: bool | None = None,
) -> int:
    """Play the log to its end; with a prompt (default: on a terminal), until the operator quits."""
    session = PlaybackSession(path, dictionary, speed=speed, show_uplinks=True)
    screen = make_screen()
    operator = Operator(session, screen)
    operator.show(Text(f"following {path} at {speed:g}x", style="dim"))
    use_prompt = sys.stdin.isatty() and sys.stdout.isatty() if prompt is None else prompt
    stopping = threading.Event()

    def play() -> None:
        session.play(stopping.is_set)
        if not stopping.is_set():
            operator.show(Text(_ending(session), style="dim"))

    if not use_prompt:
        play()
        return 0
    player = threading.Thread(target=play, daemon=True)
    player.start()
    history = (state or state_dir()) / "history"
    history.parent.mkdir(parents=True, exist_ok=True)
    interactive(operator, history)
    stopping.set()
    return 0


def _ending(session: PlaybackSession) -> str:
    with session.lock:
        received = sum(session.state.counts.values())
    stats = session.reader.stats
    damaged = f", {stats.corrupt_records} corrupt records" if stats.corrupt_records else ""
    return (
        f"end of {session.path}: {received} packets, "
        f"{len(session.state.events)} events, {len(session.sent)} commands{damaged}"
    )
