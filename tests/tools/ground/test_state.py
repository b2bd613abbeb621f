from fsw.tables import CATALOG
from tools.dictionary import Dictionary
from tools.ground.cmdline import parse
from tools.ground.state import GroundState, SentCommand

D = Dictionary.from_flight()


def verify(stage, seq, code, apid=0x011):
    values = {"stage": stage, "cmd_apid": apid, "cmd_code": code, "cmd_seq": seq,
              "reason": "OK", "arg_index": 255}  # fmt: skip
    return D.decode(CATALOG.encode_telemetry("CMD_VERIFY", values, seq, 100.0))


def test_reports_after_the_final_one_or_before_acceptance_belong_to_another_command():
    state = GroundState()
    line = parse(D, "DRIVE 1 0 0.04")
    drive = SentCommand(3, line.definition, line.args, line.text(), 0.0)
    state.sent(drive)
    code = line.definition.code
    state.add(verify("COMPLETED", 3, code), 1.0)  # an older DRIVE 3's, from a run before
    assert drive.stages == []
    state.add(verify("REJECTED", 3, code), 2.0)
    state.add(verify("COMPLETED", 3, code), 3.0)  # the older one finishing: not this one
    assert drive.stages == ["REJECTED"]
    assert drive.final == "REJECTED"
