"""`rover fsw` in a subprocess, for tests that talk to it over its TCP ground link: started on a
free port, its output collected line by line, always killed at the end.

    with FswProcess.start(speed=20) as fsw:
        ... fsw.url ...              # socket://127.0.0.1:PORT
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"rover fsw: ground link on tcp 127\.0\.0\.1:(\d+)")
START_TIMEOUT = 20.0  # s for the interpreter to start and the flight software to boot


def rover_command(*args: str) -> list[str]:
    """`rover ARGS` as a command line that does not depend on PATH."""
    return [sys.executable, "-m", "tools", *args]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child `rover`: this one, unbuffered, importing this checkout."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def free_port() -> int:
    """A TCP port nobody listens on right now (for a process started later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FswProcess:
    """One `rover fsw --listen 127.0.0.1:PORT` child and everything it printed."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.port: int | None = None
        self._listening = threading.Event()
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, name="fsw-stdout", daemon=True)
        self._reader.start()

    @classmethod
    def start(
        cls,
        *,
        speed: float = 20,
        port: int = 0,
        duration: float | None = None,
        extra: tuple[str, ...] = (),
    ) -> FswProcess:
        """Start `rover fsw` on `port` (0: a free one) and wait until it listens."""
        args = ["fsw", "--listen", f"127.0.0.1:{port}", "--speed", f"{speed:g}", *extra]
        if duration is not None:
            args += ["--duration", f"{duration:g}"]
        proc = subprocess.Popen(
            rover_command(*args),
            cwd=ROOT,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        fsw = cls(proc)
        try:
            fsw._wait_listening()
        except BaseException:
            fsw.kill()
            raise
        return fsw

    @property
    def url(self) -> str:
        """The ground's pyserial URL of its link."""
        return f"socket://127.0.0.1:{self.port}"

    def output(self) -> str:
        """Everything it printed so far."""
        with self._cond:
            return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = 10.0) -> str:
        """The first line it printed matching the regular expression `pattern` (waits)."""
        wanted = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if wanted.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(
                        f"rover fsw printed no line matching {pattern!r}:\n{self.output()}"
                    )
                self._cond.wait(min(left, 0.1))

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.rstrip("\n")
            with self._cond:
                self.lines.append(line)
                match = LISTENING.search(line)
                if match and self.port is None:
                    self.port = int(match.group(1))
                    self._listening.set()
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def _wait_listening(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not self._listening.wait(0.1):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self._reader.join(1.0)
                raise RuntimeError(
                    f"rover fsw did not start listening (exit {self.proc.poll()}):\n{self.output()}"
                )

    def kill(self) -> None:
        """SIGKILL it (as a crash would) and wait for it to go."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._reader.join(2.0)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def stop(self) -> int:
        """^C it (its clean stop), killing it if it does not go; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
        self.kill()
        return self.proc.returncode

    def __enter__(self) -> FswProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.kill()
