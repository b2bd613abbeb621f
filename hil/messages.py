"""How the hardware side reports what happens on its links (the radio, the board link, the Pi
agent): one line per event, and an error in its own words rather than a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable

Say = Callable[[str], None]
"""Where the one-line messages go (connected, lost, back, refused)."""


def say_on_stderr(text: str) -> None:
    """The default: one line on standard error (journald keeps it under systemd)."""
    print(text, file=sys.stderr, flush=True)


def error_text(err: BaseException) -> str:
    """What went wrong, in the error's own words: the OS's reason when it gave one."""
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err) or type(err).__name__
