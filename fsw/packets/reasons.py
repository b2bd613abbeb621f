"""Why a frame, packet or command was refused: one vocabulary for link counters and verification.

Reported on the wire as u8 in command verification reports, events and housekeeping; later
features append codes here (never renumber: recorded logs keep their meaning).
"""

from enum import IntEnum


class Reason(IntEnum):
    """What went wrong with a frame, packet or command (0 means nothing did)."""

    OK = 0
    BAD_FRAME = 1  # the COBS encoding is broken
    BAD_CRC = 2  # the packet error control does not match
    BAD_LENGTH = 3  # too short, length field disagrees with the bytes, or wrong size for the packet
    UNKNOWN_APID = 4  # nobody here owns that APID
    OVERSIZE = 5  # over the maximum packet size
    BAD_HEADER = 6  # version not 0, secondary header missing, or the wrong packet type
    UNKNOWN_CODE = 7  # no command (or event) with that code under that APID
    OUT_OF_RANGE = 8  # an argument is outside its valid range
    INVALID_VALUE = 9  # an argument is not a number, NaN or infinite, or not one of its enum values
    NOT_ALLOWED_IN_MODE = 10  # valid, but not in the rover's present mode
    BUSY = 11  # another command of the kind is still executing
    EXECUTION_ERROR = 12  # accepted and started, but could not be completed
    IDLE_PACKET = 13  # an idle packet (APID 2047): link fill that carries nothing, not an error
    FAULT_ACTIVE = 14  # a fault that forbids it is still present
    NOT_SUPPORTED = 15  # this hardware cannot do it (a simulation-only command on real hardware)
    FAULT_STOP = 16  # fault protection stopped it (a hazard, a wheel, the battery, ...)
    ABORTED = 17  # a STOP command or a mode change ended it
    TIMEOUT = 18  # it did not get where it was going in time
    UNAUTHENTICATED = 19  # a bare command where the uplink requires authentication
    BAD_MAC = 20  # the message authentication code does not match (forged, or the wrong key)
    REPLAYED = 21  # its authentication sequence number was seen before, or is below the window
    NOT_ARMED = 22  # a hazardous command without an ARM naming it
    ARM_EXPIRED = 23  # a hazardous command after its ARM's window closed
    EMPTY_RANGE = 24  # nothing in the store falls in the range a PLAYBACK asked for
    INVERTED_RANGE = 25  # a range whose end comes before its start
    BAD_SEQUENCE = 28  # a stored sequence's image is malformed (a step cut short, no steps)
    SEQUENCE_CRC = 29  # a stored sequence's CRC-32 does not match its image
    BAD_STEP = 30  # a stored sequence's step is not a valid command (the event names the step)
    TIME_IN_PAST = 31  # a stored sequence's absolute time has already passed
    TIME_ORDER = 32  # a stored sequence's absolute times are not in order
    SLOT_STATE = 33  # the sequence slot is not in a state that allows it (empty, not paused, ...)
    ARSN_UNKNOWN = 34  # the anti-replay counter was lost: only SA_SET_ARSN is accepted
    SN_TOO_FAR_AHEAD = 35  # its sequence number is beyond the forward limit above the highest
    NVRAM_FAILED = 36  # non-volatile memory could not keep what it must (disk full, read-only)
    BAD_CHALLENGE = 37  # an SA-management command without the challenge in SECURITY telemetry


class PacketError(ValueError):
    """A packet or command that cannot be built or understood: the reason and a one-line text."""

    def __init__(self, reason: Reason, message: str, arg_index: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.arg_index = arg_index
