"""The stored-sequence events (ids 60-69), a part of the event table (fsw.tables.events appends
them): what a sequence slot did, and where a sequence stopped."""

from fsw.packets.reasons import Reason
from fsw.packets.schema import EventDef, Field, Severity
from fsw.tables.commands import CommandCode
from fsw.tables.enums import Stage

_REASON = Field("reason", "u8", "Why", enum=Reason)
_SLOT = Field("slot", "u8", "Sequence slot")
_STEP = Field("step", "u8", "Step number, from 1 (0: none yet)")
_STEPS = Field("steps", "u8", "Steps in the sequence")
_COMMAND = Field("command", "u16", "The step's command", enum=CommandCode)

SEQUENCE_EVENTS: tuple[EventDef, ...] = (
    EventDef(
        "SEQ_LOADED",
        60,
        Severity.INFO,
        "Sequence slot {slot} loaded: {steps} steps, CRC-32 {image_crc}",
        "SEQ_LOAD passed every check; the slot holds the new sequence, ready to start.",
        (_SLOT, _STEPS, Field("image_crc", "u32", "CRC-32 of the image")),
    ),
    EventDef(
        "SEQ_LOAD_REJECTED",
        61,
        Severity.WARNING,
        "Sequence load into slot {slot} rejected: {reason} at step {step} "
        "({detail}, argument {arg})",
        "SEQ_LOAD failed a check and changed nothing. Step 0 is the whole image (its CRC); for "
        "BAD_STEP, detail is why the step's command is invalid and arg the index of the argument "
        "at fault (255: none).",
        (
            _SLOT,
            _REASON,
            Field("step", "u8", "The step at fault, from 1 (0: the whole image)"),
            Field(
                "detail",
                "u8",
                "Why the step's command is invalid (OK if not about it)",
                enum=Reason,
            ),
            Field("arg", "u8", "Index of the step command's argument at fault (255: none)"),
        ),
    ),
    EventDef(
        "SEQ_STARTED",
        62,
        Severity.INFO,
        "Sequence slot {slot} started: {steps} steps",
        "SEQ_START: the sequence runs from its first step.",
        (_SLOT, _STEPS),
    ),
    EventDef(
        "SEQ_STEP",
        63,
        Severity.INFO,
        "Sequence slot {slot} step {step} of {steps}: {command}",
        "A sequence dispatched a step's command (its verification reports follow).",
        (_SLOT, _STEP, _STEPS, _COMMAND),
    ),
    EventDef(
        "SEQ_STEP_FAILED",
        64,
        Severity.WARNING,
        "Sequence slot {slot} stopped at step {step}: {command} {stage}, {reason}",
        "A step's command was rejected or failed; the sequence stopped there (FAILED).",
        (_SLOT, _STEP, _COMMAND, Field("stage", "u8", "REJECTED or FAILED", enum=Stage), _REASON),
    ),
    EventDef(
        "SEQ_PAUSED",
        65,
        Severity.INFO,
        "Sequence slot {slot} paused after step {step}",
        "SEQ_PAUSE: no further step starts until SEQ_RESUME.",
        (_SLOT, _STEP),
    ),
    EventDef(
        "SEQ_RESUMED",
        66,
        Severity.INFO,
        "Sequence slot {slot} resumed after step {step}",
        "SEQ_RESUME: the sequence goes on.",
        (_SLOT, _STEP),
    ),
    EventDef(
        "SEQ_ABORTED",
        67,
        Severity.WARNING,
        "Sequence slot {slot} aborted after step {step}",
        "SEQ_ABORT: the sequence stopped; a drive under way goes on.",
        (_SLOT, _STEP),
    ),
    EventDef(
        "SEQ_COMPLETED",
        68,
        Severity.INFO,
        "Sequence slot {slot} completed: {steps} steps",
        "Every step of the sequence completed.",
        (_SLOT, _STEPS),
    ),
    EventDef(
        "SEQ_CLEARED",
        69,
        Severity.INFO,
        "Sequence slot {slot} cleared",
        "SEQ_CLEAR emptied the slot.",
        (_SLOT,),
    ),
)
