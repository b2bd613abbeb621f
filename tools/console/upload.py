"""The console's `upload FILE [SLOT]`: a stored-sequence plan checked on the ground (one line
naming the file and line for each mistake), then sent as one SEQ_LOAD, whose verification says
whether the rover took it (SEQ_LOADED) or where it found fault (SEQ_LOAD_REJECTED)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from fsw.packets.secure import OVERHEAD
from fsw.sequences import crc32
from hil.radio.relay_profile import QUEQIAO_UPLINK
from tools.ground.cmdline import CommandLineError, check_rules
from tools.ground.sequence import PlanError, load_plan

if TYPE_CHECKING:
    from tools.console.operator import Operator


def upload(op: Operator, words: list[str], script: bool, timeout: float) -> bool:
    """Check a plan and send its SEQ_LOAD; in a script, wait for the final report. Whether the
    rover accepted it (in a script), or whether it went (typed)."""
    if len(words) not in (1, 2):
        raise CommandLineError("upload FILE [SLOT]")
    slot = None
    if len(words) == 2:
        if not words[1].isdigit():
            raise CommandLineError(f"upload FILE SLOT: {words[1]!r} is not a slot number")
        slot = int(words[1])
    session = op.session
    try:
        plan = load_plan(Path(words[0]).expanduser(), session.dictionary, slot)
        first = session.reserve_seqs(len(plan.steps))
        load = plan.load_command(session.dictionary, first)
    except PlanError as err:
        raise CommandLineError(str(err)) from None
    with session.lock:
        known = dict(session.state.params)
    for step in plan.steps:  # each step as the rover's dispatcher will judge it when it runs
        try:
            check_rules(session.dictionary, step.command, known)
        except CommandLineError as err:
            raise CommandLineError(f"{plan.source}:{step.line}: {err}; plan not sent") from None
    image = load.data or b""
    packet = session.dictionary.encode_command(load.name, load.args, 0, data=image)
    seconds = (len(packet) + OVERHEAD + 2) * 8 / QUEQIAO_UPLINK  # sealed, COBS-framed
    op.show(
        Text(
            f"{Path(words[0]).name}: {len(plan.steps)} steps, {len(image)} bytes into slot "
            f"{plan.slot}, CRC-32 0x{crc32(image):08X} (about {seconds:.0f} s up at "
            f"{QUEQIAO_UPLINK:g} bit/s)",
            style="dim",
        )
    )
    hazards = plan.hazards()
    question = f"The plan has hazardous steps: {'; '.join(hazards)}. Upload it?"
    if hazards and not script and op.confirm is not None and not op.confirm(question):
        op.error("plan not uploaded")
        return False
    op.mark = session.event_cursor()
    sent = session.send(load)
    if not script:
        return True
    final = session.await_final(sent, timeout)
    if final is None:
        op.error(f"[{sent.seq}] SEQ_LOAD: no final report within {timeout:g} s")
        return False
    return final == "COMPLETED"
