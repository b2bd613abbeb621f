"""Stored sequences on the flight software: loads refused with the step at fault, steps run one
after another as if from the ground, a failed step stops the sequence and says where, pause,
resume and abort at step boundaries, and the dead-man fed by the steps."""

from typing import Any

from fsw.packets.framing import frame
from fsw.sequences import Step, Timing, crc32, encode
from fsw.tables import CATALOG
from tests.fsw.support import Rover

SLOW = {"radius": 0.0, "speed": 0.04}


def packet(name: str, seq: int = 100, check: bool = True, **args: Any) -> bytes:
    return CATALOG.encode_command(name, args, seq, check=check)


def after(seconds: float, name: str, seq: int = 100, check: bool = True, **args: Any) -> Step:
    return Step(Timing.AFTER, round(seconds * 1000), packet(name, seq, check, **args))


def load(r: Rover, steps: list[Step], slot: int = 1, crc: int | None = None) -> int:
    image = encode(steps)
    seq, r.seq = r.seq, r.seq + 1
    command = CATALOG.encode_command(
        "SEQ_LOAD", {"slot": slot, "image_crc": crc32(image) if crc is None else crc}, seq,
        data=image,
    )  # fmt: skip
    r.flight.receive(frame(command))
    return seq


def final(r: Rover, seq: int) -> tuple[str, str, int]:
    return r.stages(seq)[-1]


def seq_tm(r: Rover) -> dict[str, Any]:
    r.run(1.0)  # a housekeeping packet
    return r.last("SEQ")


def test_a_load_with_its_crc_off_by_one_bit_is_refused_and_the_slot_stays_empty():
    r = Rover()
    image = encode([after(0, "NOOP")])
    seq = load(r, [after(0, "NOOP")], crc=crc32(image) ^ 1)
    assert final(r, seq) == ("REJECTED", "SEQUENCE_CRC", 1)  # argument image_crc
    (event,) = r.events("SEQ_LOAD_REJECTED")
    assert event.shown()["reason"] == "SEQUENCE_CRC" and event.shown()["step"] == 0
    assert seq_tm(r)["slot1_state"] == "EMPTY"


def test_a_step_out_of_range_is_refused_naming_the_step():
    r = Rover()
    bad = after(0, "DRIVE", distance=1.0, radius=0.0, speed=0.5, check=False)
    seq = load(r, [after(0, "NOOP"), after(0, "NOOP"), bad], slot=2)
    assert final(r, seq)[:2] == ("REJECTED", "BAD_STEP")
    shown = r.events("SEQ_LOAD_REJECTED")[0].shown()
    assert (shown["slot"], shown["step"], shown["detail"], shown["arg"]) == (
        2,
        3,
        "OUT_OF_RANGE",
        2,
    )
    assert "rejected: BAD_STEP at step 3 (OUT_OF_RANGE" in r.texts()[-2]


def test_an_absolute_time_in_the_past_is_refused_at_load_and_at_start():
    r = Rover()
    now = int(r.clock.now())
    past = Step(Timing.AT, now - 1, packet("NOOP"))
    assert final(r, load(r, [past]))[:2] == ("REJECTED", "TIME_IN_PAST")
    soon = Step(Timing.AT, now + 5, packet("NOOP"))
    assert final(r, load(r, [soon]))[0] == "COMPLETED"
    r.run(10)  # its time passes unstarted
    assert final(r, r.send("SEQ_START", slot=1))[:2] == ("REJECTED", "TIME_IN_PAST")


def test_steps_run_in_order_each_after_the_one_before_finished():
    r = Rover()
    steps = [
        after(0, "DRIVE", distance=0.4, **SLOW),
        after(5, "PING", token=7),
        after(0, "PING", token=8),
    ]
    assert final(r, load(r, steps))[0] == "COMPLETED"
    assert final(r, r.send("SEQ_START", slot=1))[0] == "COMPLETED"
    r.run(60)
    done = r.events("MOTION_DONE")[0].time
    first_ping, second_ping = r.events("PING_REPLY")
    assert 5.0 <= first_ping.time - done <= 5.2  # its delay counted from the drive's end
    assert second_ping.time == first_ping.time  # no delay: the same control cycle
    assert [e.shown()["token"] for e in (first_ping, second_ping)] == [7, 8]
    assert [s[0] for s in r.stages(100)] == ["ACCEPTED", "STARTED", "COMPLETED"] * 3
    assert r.events("SEQ_COMPLETED")
    tm = seq_tm(r)
    assert (tm["slot1_state"], tm["slot1_step"], tm["slot1_steps"]) == ("COMPLETED", 3, 3)


def test_a_step_refused_in_safe_stops_the_sequence_and_says_where():
    r = Rover()
    steps = [
        after(0, "SET_MODE", mode="SAFE"),
        after(1, "DRIVE", distance=1.0, **SLOW),
        after(0, "PING", token=1),
    ]
    load(r, steps)
    r.send("SEQ_START", slot=1)
    r.run(5)
    (failed,) = r.events("SEQ_STEP_FAILED")
    assert failed.text() == (
        "Sequence slot 1 stopped at step 2: DRIVE REJECTED, NOT_ALLOWED_IN_MODE"
    )
    assert not r.events("PING_REPLY")  # step 3 never ran
    tm = seq_tm(r)
    assert (tm["slot1_state"], tm["slot1_step"]) == ("FAILED", 2)
    assert (tm["fail_slot"], tm["fail_step"], tm["fail_command"], tm["fail_reason"]) == (
        1,
        2,
        "DRIVE",
        "NOT_ALLOWED_IN_MODE",
    )


def test_a_step_that_fails_after_it_started_stops_the_sequence():
    r = Rover()
    load(r, [after(0, "DRIVE", distance=2.0, **SLOW), after(0, "PING", token=1)])
    r.send("SEQ_START", slot=1)
    r.run(5)
    r.send("STOP")
    r.run(2)
    assert r.events("SEQ_STEP_FAILED")[0].text() == (
        "Sequence slot 1 stopped at step 1: DRIVE FAILED, ABORTED"
    )
    assert not r.events("PING_REPLY")


def test_pause_waits_for_the_step_under_way_and_resume_restarts_the_delay():
    r = Rover()
    load(r, [after(0, "DRIVE", distance=0.4, **SLOW), after(2, "PING", token=1)])
    r.send("SEQ_START", slot=1)
    r.run(1)
    assert final(r, r.send("SEQ_PAUSE", slot=1))[0] == "COMPLETED"
    assert final(r, r.send("SEQ_PAUSE", slot=1))[:2] == ("REJECTED", "SLOT_STATE")
    r.run(60)  # the drive finishes; nothing further starts
    assert r.events("MOTION_DONE") and not r.events("PING_REPLY")
    assert seq_tm(r)["slot1_state"] == "PAUSED"
    resumed = r.send("SEQ_RESUME", slot=1)
    r.run(5)
    resume_time = r.events("SEQ_RESUMED")[0].time
    assert final(r, resumed)[0] == "COMPLETED"
    assert 2.0 <= r.events("PING_REPLY")[0].time - resume_time <= 2.2


def test_abort_stops_at_the_step_boundary_and_start_runs_it_again_from_the_top():
    r = Rover()
    load(r, [after(0, "DRIVE", distance=0.4, **SLOW), after(0, "PING", token=1)])
    r.send("SEQ_START", slot=1)
    r.run(1)
    assert final(r, r.send("SEQ_CLEAR", slot=1))[:2] == ("REJECTED", "BUSY")
    assert final(r, load(r, [after(0, "NOOP")]))[:2] == ("REJECTED", "BUSY")
    assert final(r, r.send("SEQ_ABORT", slot=1))[0] == "COMPLETED"
    r.run(30)
    assert r.events("MOTION_DONE")  # the drive under way went on
    assert not r.events("PING_REPLY")
    assert seq_tm(r)["slot1_state"] == "ABORTED"
    r.send("SEQ_START", slot=1)
    r.run(30)
    assert len(r.events("PING_REPLY")) == 1 and len(r.events("MOTION_DONE")) == 2


def test_an_empty_slot_cannot_start_and_clear_empties_a_slot():
    r = Rover()
    assert final(r, r.send("SEQ_START", slot=3))[:2] == ("REJECTED", "SLOT_STATE")
    assert final(r, r.send("SEQ_START", check=False, slot=5))[:3] == ("REJECTED", "OUT_OF_RANGE", 0)
    load(r, [after(0, "NOOP")], slot=3)
    assert seq_tm(r)["slot3_state"] == "LOADED"
    assert final(r, r.send("SEQ_CLEAR", slot=3))[0] == "COMPLETED"
    assert seq_tm(r)["slot3_state"] == "EMPTY"


def test_a_hazardous_step_needs_an_armed_step_before_it():
    r = Rover()
    load(r, [after(0, "WHEEL_ISOLATE", wheel="LM")], slot=1)
    load(r, [after(0, "ARM", command="WHEEL_ISOLATE"), after(0, "WHEEL_ISOLATE", wheel="LM")], 2)
    r.send("SEQ_START", slot=1)
    r.run(1)
    assert r.events("SEQ_STEP_FAILED")[0].shown()["reason"] == "NOT_ARMED"
    r.send("SEQ_START", slot=2)
    r.run(1)
    assert r.events("WHEEL_ISOLATED") and r.events("SEQ_COMPLETED")


def test_steps_feed_the_dead_man_so_a_plan_runs_with_the_ground_silent():
    r = Rover()
    r.send("SET_PARAM", param="COMMAND_LOSS_LIMIT", value=20.0)
    legs = [after(15 if i else 0, "DRIVE", distance=0.4, **SLOW) for i in range(3)]
    load(r, legs)
    r.send("SEQ_START", slot=1)
    frames = r.flight.uplink.counters()["uplink_frames"]
    r.run(120)  # over 20 s between the ground's last command and the third leg
    assert r.flight.uplink.counters()["uplink_frames"] == frames  # nothing came up
    assert not r.events("MONITOR_TRIPPED")
    assert len(r.events("MOTION_DONE")) == 3 and r.events("SEQ_COMPLETED")
