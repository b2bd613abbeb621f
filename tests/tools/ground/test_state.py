from fsw.tables import CATALOG
from tools.dictionary import Dictionary
from tools.ground.cmdline import parse
from tools.ground.state import GroundState, SentCommand

D = Dictionary.from_flight()


def verify(stage, seq, code, apid=0x011, at=100.0):
    values = {"stage": stage, "cmd_apid": apid, "cmd_code": code, "cmd_seq": seq,
              "reason": "OK", "arg_index": 255, "cmd_sn": 0}  # fmt: skip
    return D.decode(CATALOG.encode_telemetry("CMD_VERIFY", values, seq, at))


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


def test_reports_out_of_order_on_a_lossy_link_are_filed_in_the_rovers_order():
    state = GroundState()
    line = parse(D, "DRIVE 1 0 0.04")
    drive = SentCommand(4, line.definition, line.args, line.text(), 0.0)
    state.sent(drive)
    code = line.definition.code
    state.add(verify("COMPLETED", 4, code, at=90.0), 1.0)  # a rerun's, before this one arrived
    state.add(verify("STARTED", 4, code, at=101.0), 2.0)  # ACCEPTED was lost live
    state.add(verify("COMPLETED", 4, code, at=170.0), 3.0)
    assert drive.stages == [] and drive.final is None
    state.add(verify("ACCEPTED", 4, code, at=101.0), 9.0, playback=True)  # from the store
    assert drive.stages == ["ACCEPTED", "STARTED", "COMPLETED"] and drive.finished == 9.0


def test_a_report_for_another_envelope_with_the_same_count_is_not_filed_but_counted():
    """A relay replays an older session's genuine reports for count 0: the command this ground
    signed (SN 2000) must not take them; its own (echoing 2000) it does."""
    state = GroundState()
    line = parse(D, "RESET_COUNTERS")
    reset = SentCommand(0, line.definition, line.args, line.text(), 0.0, sn=2000)
    state.sent(reset)
    code, apid = line.definition.code, line.definition.apid

    def report(stage, sn):
        values = {"stage": stage, "cmd_apid": apid, "cmd_code": code, "cmd_seq": 0,
                  "reason": "OK", "arg_index": 255, "cmd_sn": sn}  # fmt: skip
        return D.decode(CATALOG.encode_telemetry("CMD_VERIFY", values, 0, 100.0))

    for stage in ("ACCEPTED", "STARTED", "COMPLETED"):
        assert state.add(report(stage, 1000), 1.0).command is None  # the older session's
    assert reset.stages == [] and state.foreign == 3
    for stage in ("ACCEPTED", "STARTED", "COMPLETED"):
        assert state.add(report(stage, 2000), 2.0).command is reset
    assert reset.final == "COMPLETED" and state.foreign == 3
