"""A Raspberry Pi agent on a pseudo-terminal, as a board on a desk: the agent serves the pty's
master in a thread; the flight side opens a stable symlink to the slave (as udev's
/dev/serial/by-id names a board), which a replugged board re-points at its new pty."""

from __future__ import annotations

import contextlib
import os
import threading
import tty
from pathlib import Path

from hil.firmware.pi import serve


class PiBoard:
    """One Pi agent at a time behind `link`; unplug() and plug() as a user would."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.said: list[str] = []
        self._master = -1
        self._slave = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def plug(self) -> PiBoard:
        """A new board (a new agent, freshly booted) on a new pty behind the symlink."""
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)
        target = os.ttyname(self._slave)
        with contextlib.suppress(FileNotFoundError):
            self.link.unlink()
        self.link.symlink_to(target)
        self._serve()
        return self

    def reset(self) -> None:
        """The board reset behind a port that stays open (a reset button, an agent restarted):
        a new agent, freshly booted, on the same pty."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self._serve()

    def _serve(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=serve,
            args=(self._master,),
            kwargs={"stop": self._stop, "say": self.said.append},
            daemon=True,
        )
        self._thread.start()

    def unplug(self) -> None:
        """The board gone: its symlink goes (as udev's does), the agent stops and its pty closes
        under the flight side. A symlink left behind names a /dev/pts number the system soon
        gives another pty (another test's board, in a parallel run): a link reopening it would
        greet, and read the answers of, somebody else's board."""
        with contextlib.suppress(FileNotFoundError):
            self.link.unlink()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._master = self._slave = -1

    def __enter__(self) -> PiBoard:
        return self.plug()

    def __exit__(self, *exc: object) -> None:
        self.unplug()
