"""The Arduino firmware on an emulated Uno (simavr), for tests and benchmarks without hardware.

`firmware_elf()` builds the firmware (make in hil/firmware/arduino), `runner_binary()` compiles
the small simavr runner (runner.c) against libsimavr, and `EmulatedUno` runs one: a board on a
pseudo-terminal, paced to the wall clock, that resets when its port is opened like a real Uno.
With `link=` it keeps a stable symlink to its current pty, as udev keeps /dev/serial/by-id: the
symlink goes when the board is unplugged (killed) and comes back, pointing at the new pty, when
it is restarted. Runners never outlive the interpreter (a runner also ends with its parent).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

FIRMWARE_DIR = Path(__file__).resolve().parent.parent / "arduino"
BUILD_DIR = FIRMWARE_DIR / "build"
ELF = BUILD_DIR / "rover_board.elf"
RUNNER_SOURCE = Path(__file__).resolve().with_name("runner.c")
RUNNER = BUILD_DIR / "simavr-runner"
SIMAVR_INCLUDE = Path("/usr/include/simavr")
ARDUINO_CORE = Path("/usr/share/arduino/hardware/arduino/avr/cores/arduino")
INSTALL_HINT = "run: bash hil/firmware/install-toolchain.sh (installs the Debian packages)"


class ToolchainMissing(RuntimeError):
    """The AVR toolchain, the Arduino core or simavr is not installed."""


class BuildFailed(RuntimeError):
    """make or cc failed; the message carries the end of their output."""


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    """One build at a time across processes (parallel test sessions share the build dir)."""
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    with (BUILD_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _run(cmd: list[str], what: str) -> None:
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        tail = "\n".join((out.stdout + out.stderr).strip().splitlines()[-30:])
        raise BuildFailed(f"{what} failed ({' '.join(cmd[:3])} ...):\n{tail}\n({INSTALL_HINT})")


def firmware_elf() -> Path:
    """Build the firmware if anything changed (make) and return its .elf."""
    missing = [t for t in ("make", "avr-g++", "avr-gcc-ar", "avr-objcopy") if not shutil.which(t)]
    missing += (
        [] if (ARDUINO_CORE / "Arduino.h").exists() else [f"the Arduino core ({ARDUINO_CORE})"]
    )
    if missing:
        raise ToolchainMissing(f"{', '.join(missing)} not found: {INSTALL_HINT}")
    with _build_lock():
        _run(["make", "-C", str(FIRMWARE_DIR), f"PYTHON={sys.executable}"], "building the firmware")
    return ELF


def runner_binary() -> Path:
    """The simavr runner, compiled from runner.c when missing or older than its source."""
    with _build_lock():
        if RUNNER.exists() and RUNNER.stat().st_mtime >= RUNNER_SOURCE.stat().st_mtime:
            return RUNNER
        cc = os.environ.get("CC", "cc")
        if not shutil.which(cc) or not (SIMAVR_INCLUDE / "sim_avr.h").exists():
            raise ToolchainMissing(
                f"a C compiler ({cc}) and libsimavr-dev are needed: {INSTALL_HINT}"
            )
        tmp = RUNNER.with_name(f"{RUNNER.name}.{os.getpid()}.tmp")
        cmd = [cc, "-O2", "-Wall", "-Wextra", "-std=gnu11", f"-I{SIMAVR_INCLUDE}"]
        cmd += [f"-I{SIMAVR_INCLUDE / 'parts'}", str(RUNNER_SOURCE), "-o", str(tmp)]
        _run([*cmd, "-lsimavrparts", "-lsimavr", "-lpthread", "-lutil"], "compiling runner.c")
        tmp.replace(RUNNER)
    return RUNNER


_LIVE: set[EmulatedUno] = set()  # strong: a runner is stopped at exit even if forgotten


@atexit.register
def _stop_all() -> None:
    for uno in list(_LIVE):
        uno.stop()


class EmulatedUno:
    """One emulated Uno running `elf` (default: the firmware built by firmware_elf())."""

    def __init__(
        self,
        elf: Path | None = None,
        *,
        link: Path | None = None,
        fast: bool = False,
        start_timeout: float = 10.0,
    ) -> None:
        self.elf = Path(elf) if elf is not None else firmware_elf()
        self.link = Path(link) if link is not None else None
        self.fast = fast
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._pty = ""
        self.returncode: int | None = None  # the last runner's exit status (-9: unplugged)

    # --- life -------------------------------------------------------------------------------

    def start(self) -> EmulatedUno:
        """Start a runner (the board plugged in): its pty exists; the AVR boots when opened."""
        if self.running:
            return self
        cmd = [str(runner_binary()), *(["--fast"] if self.fast else []), str(self.elf)]
        if self._log is not None:
            self._log.close()
        self._log = tempfile.TemporaryFile(prefix="simavr-runner-")  # noqa: SIM115 (lives with the runner)
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log
        )
        _LIVE.add(self)
        try:
            self._pty = self._read_pty_line()
        except BaseException:
            self.unplug()
            raise
        if self.link is not None:
            self._point_link()
        return self

    def unplug(self) -> None:
        """Kill the runner at once (SIGKILL): the pty vanishes as a pulled USB cable's would."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        """Stop the runner cleanly (SIGTERM, then wait)."""
        self._end(signal.SIGTERM)

    def restart(self) -> EmulatedUno:
        """A new runner (the board plugged back in), behind the same symlink."""
        self.stop()
        return self.start()

    def __enter__(self) -> EmulatedUno:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what a test looks at ---------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the runner process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pty(self) -> str:
        """Path of the current pseudo-terminal (/dev/pts/N)."""
        if not self.running:
            raise RuntimeError("the emulated Uno is not running")
        return self._pty

    @property
    def port(self) -> str:
        """What to open: the symlink when there is one, else the pty."""
        return str(self.link) if self.link is not None else self.pty

    @property
    def pid(self) -> int:
        """Process id of the runner (kill it with SIGKILL to unplug the board)."""
        if self._proc is None:
            raise RuntimeError("the emulated Uno was never started")
        return self._proc.pid

    def log(self) -> str:
        """What the runner and simavr wrote on stderr so far (for failure messages)."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    # --- inside ----------------------------------------------------------------------------

    def _read_pty_line(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        stdout, line = self._proc.stdout, b""
        deadline = time.monotonic() + self.start_timeout
        with selectors.DefaultSelector() as sel:
            sel.register(stdout, selectors.EVENT_READ)
            while not line.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise TimeoutError(f"the simavr runner printed no pty line:\n{self.log()}")
                chunk = os.read(stdout.fileno(), 256)
                if not chunk:
                    raise RuntimeError(f"the simavr runner ended at start:\n{self.log()}")
                line += chunk
        stdout.close()
        text = line.decode().strip()
        if not text.startswith("pty: /dev/"):
            raise RuntimeError(f"the simavr runner printed {text!r}, not a pty line")
        return text.removeprefix("pty: ")

    def _point_link(self) -> None:
        assert self.link is not None
        self.link.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.link.with_name(f".{self.link.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(self._pty)
        tmp.replace(self.link)  # atomic: an opener sees the old link or the new one

    def _end(self, how: signal.Signals) -> None:
        proc, self._proc = self._proc, None
        if self.link is not None and self.link.is_symlink():
            self.link.unlink(missing_ok=True)
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(how)
                try:
                    proc.wait(5.0)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
            self.returncode = proc.returncode
        _LIVE.discard(self)
