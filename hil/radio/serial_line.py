"""The ground link over a serial line, through pyserial's serial_for_url: a device path, a pty
path and `loop://` all work. An absent or unplugged device is closed, reported once, and opened
again every RETRY seconds until it is back, as fprime-gds's serial adapter does."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import serial

from hil.messages import Say, error_text, say_on_stderr
from hil.radio.base import QUEUE_SIZE, Radio

RETRY = 1.0
"""s between attempts to open a serial device that is absent."""
READ_SIZE = 65536
"""The most bytes read at once (loop:// and ptys report all they hold as waiting)."""


class SerialRadio(Radio):
    """A serial device (or any pyserial URL), kept open when it is there."""

    def __init__(
        self,
        url: str,
        baudrate: int,
        receive: Callable[[bytes], object],
        reset: Callable[[], None] | None = None,
        say: Say = say_on_stderr,
        queue_size: int = QUEUE_SIZE,
        retry: float = RETRY,
    ) -> None:
        super().__init__(receive, reset, say, queue_size)
        if baudrate <= 0:
            raise ValueError(f"baud rate {baudrate} must be positive")
        try:  # checks the URL's scheme and the settings; the reader opens it
            self._port = serial.serial_for_url(
                url, baudrate=baudrate, timeout=0.25, write_timeout=2.0, do_not_open=True
            )
        except (ValueError, serial.SerialException) as err:
            raise ValueError(f"serial link {url}: {err}") from None
        self.url, self.retry = url, retry
        self.where = f"serial {url} at {baudrate} baud"

    def _run(self) -> None:
        port, trouble = self._port, ""  # trouble: what is wrong, said once until it is over
        while not self._closed.is_set():
            try:
                port.open()
            except (OSError, ValueError) as err:
                trouble = self._trouble(trouble, err)
                self._closed.wait(self.retry)
                continue
            self._attach(port)
            self.counters.connections += 1
            try:
                while not self._closed.is_set():
                    data = port.read(min(port.in_waiting, READ_SIZE) or 1)
                    if trouble:  # it opened and reads: it is back (a flapping device is not)
                        self._say(f"serial {self.url}: open again")
                        trouble = ""
                    if data:
                        self._deliver(port, data)
            except (OSError, ValueError, TypeError) as err:  # TypeError: pyserial mid-close
                if not self._closed.is_set():
                    trouble = self._trouble(trouble, err)
            finally:
                self._detach(port)
                with contextlib.suppress(OSError, ValueError):
                    port.close()
            self._closed.wait(self.retry if trouble else 0)

    def _trouble(self, trouble: str, err: BaseException) -> str:
        """Say what went wrong, unless something already is."""
        if not trouble:
            trouble = error_text(err)
            self._say(f"serial {self.url}: {trouble}; retrying every {self.retry:g} s")
        return trouble

    def _shutdown(self) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self._port.cancel_read()
