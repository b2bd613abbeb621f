"""A command's variable-length data: the one run of bytes a command may carry after its fixed
arguments (a whole command packet, a stored sequence's image), up to the CRC. Its length is the
packet's own length field minus the fixed part, so it costs no length byte."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fsw.packets.reasons import PacketError, Reason
from fsw.packets.types import is_whole

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Data:
    """What a command's data is called, what it holds, and how long it may be."""

    name: str
    description: str
    max_size: int
    min_size: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ValueError(f"data name {self.name!r} must be lower_snake_case")
        if not isinstance(self.description, str):
            raise ValueError(f"data {self.name}: description is text")
        if not (is_whole(self.min_size) and is_whole(self.max_size)):
            raise ValueError(f"data {self.name}: sizes are whole numbers of bytes")
        if not 0 <= self.min_size <= self.max_size:
            raise ValueError(
                f"data {self.name}: sizes must satisfy 0 <= min_size ({self.min_size}) <= "
                f"max_size ({self.max_size})"
            )

    def check(self, value: object) -> bytes:
        """The bytes to carry, or a PacketError saying why `value` cannot be carried."""
        if not isinstance(value, bytes | bytearray | memoryview):
            raise PacketError(
                Reason.INVALID_VALUE, f"{self.name}: {type(value).__name__} is not bytes"
            )
        data = bytes(value)
        if len(data) < self.min_size:
            raise PacketError(
                Reason.BAD_LENGTH,
                f"{self.name}: {len(data)} bytes is under the minimum {self.min_size}",
            )
        if len(data) > self.max_size:
            raise PacketError(
                Reason.OVERSIZE,
                f"{self.name}: {len(data)} bytes is over the maximum {self.max_size}",
            )
        return data

    def fit(self, command: str, value: object, check: bool, room: int) -> bytes:
        """The data command `command` carries: checked (check=True), or only made to fit the
        `room` left in a packet (for tests of the flight software's own checks)."""
        if check:
            try:
                return self.check(value)
            except PacketError as err:
                raise PacketError(err.reason, f"{command} {err.message}") from None
        data = bytes(value)  # type: ignore[call-overload]
        if len(data) > room:
            raise PacketError(
                Reason.OVERSIZE, f"{command} {self.name}: {len(data)} bytes do not fit a packet"
            )
        return data
