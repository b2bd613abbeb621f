"""Enumerations that the tables share with the flight software (exported into the dictionary)."""

from enum import IntEnum


class Apid(IntEnum):
    """Application process identifiers: 0x010-0x0FF telecommand, 0x100-0x1FF telemetry."""

    CMD_EXEC = 0x010  # executive and command dispatcher commands
    TLM_HK = 0x100  # executive housekeeping
    TLM_VERIFY = 0x101  # command verification reports
    TLM_EVENT = 0x102  # events


class Mode(IntEnum):
    """The rover's operating mode."""

    BOOT = 0
    STANDBY = 1
    DRIVE = 2
    CLIMB = 3
    SAFE = 4
    HIBERNATE = 5


class Stage(IntEnum):
    """Stage of a command verification report (in the spirit of PUS service 1)."""

    ACCEPTED = 1
    REJECTED = 2
    STARTED = 3
    PROGRESS = 4
    COMPLETED = 5
    FAILED = 6


NO_ARGUMENT = 0xFF
"""arg_index of a verification report that is not about one argument."""
