"""The uplink's security association held under faults: a lost anti-replay counter refuses every
command until SA_SET_ARSN (challenged) sets it; a sequence number far ahead cannot lock the uplink
out; a counter that cannot be kept refuses its command and the rover carries on; the window takes
the ground's own numbering; counters saturate instead of wrapping."""

import errno

from fsw.packets import secure
from fsw.packets.framing import frame
from fsw.packets.reasons import Reason
from fsw.security import SN_PER_SECOND, Key
from fsw.tables import CATALOG
from tests.fsw.support import Rover
from tools.ground.signer import Signer

KEY = Key(3, bytes(range(1, 33)))
T = 1_764_000_000_000_000  # the ground clock, in microseconds
DAY = 86400 * SN_PER_SECOND


def sealed(name: str, seq: int, sn: int, **args: object) -> bytes:
    return frame(secure.seal(CATALOG.encode_command(name, args, seq), KEY.secret, KEY.spi, sn))


def refusal_reasons(r: Rover) -> list[str]:
    return [e.shown()["reason"] for e in r.events("UPLINK_REFUSED")]


def lost() -> Rover:
    """A rover whose non-volatile memory lost the counter: it boots with it unknown."""
    r = Rover(
        key=KEY,
        flight={"replay_floor": None, "challenges": iter([1234, 5678, 9012, 3456]).__next__},
    )
    r.run(1)
    return r


def test_a_lost_counter_is_loud_and_no_captured_command_runs_again():
    r = lost()
    assert [e.text() for e in r.events("ARSN_UNKNOWN")] == [
        "Anti-replay counter lost (non-volatile memory missing or unreadable): every command is "
        "refused until SA_SET_ARSN, challenge 1234"
    ]
    sec = r.last("SECURITY")
    assert (sec["arsn_known"], sec["challenge"]) == ("NO", 1234)
    captured = [  # six commands an attacker recorded before the memory was lost
        sealed("NOOP", 1, T + 1),
        sealed("PING", 2, T + 2, token=7),
        sealed("ARM", 3, T + 3, command="WHEEL_ISOLATE"),
        sealed("WHEEL_ISOLATE", 4, T + 4, wheel="LF"),
        sealed("SET_HK_PERIOD", 5, T + 5, period=2.0),
        sealed("RESET_COUNTERS", 6, T + 6),
    ]
    for packet in captured:
        r.flight.receive(packet)
    r.run(1)
    assert refusal_reasons(r) == ["ARSN_UNKNOWN"] * 6
    assert not r.events("NOOP") and not r.events("PING_REPLY") and not r.events("ARMED")
    assert r.flight.isolated == [False] * 6
    assert r.last("SECURITY")["arsn_unknown"] == 6
    assert r.last("HK")["cmd_rejected"] == 6


def test_sa_set_arsn_needs_the_challenge_then_sets_the_counter_once():
    r = lost()
    old = sealed("PING", 1, T + 10, token=1)  # captured before the loss
    r.flight.receive(sealed("SA_SET_ARSN", 2, T + 50, arsn=T + 100, challenge=999))  # stale
    r.run(1)
    assert r.stages(2) == [("REJECTED", "BAD_CHALLENGE", 255)]
    assert r.last("SECURITY")["arsn_known"] == "NO"
    setting = sealed("SA_SET_ARSN", 3, T + 60, arsn=T + 100, challenge=1234)
    r.flight.receive(setting)
    r.run(1)
    assert [s[0] for s in r.stages(3)] == ["ACCEPTED", "STARTED", "COMPLETED"]
    assert [e.text() for e in r.events("ARSN_SET")] == [
        f"Anti-replay counter set to {T + 100} (was 0); next challenge 5678"
    ]
    sec = r.last("SECURITY")
    assert (sec["arsn_known"], sec["highest_sn"], sec["challenge"]) == ("YES", T + 100, 5678)
    r.flight.receive(old)  # below the counter now: a replay
    r.flight.receive(setting)  # the SA_SET_ARSN itself again: its challenge is spent
    r.flight.receive(sealed("PING", 4, T + 200, token=4))
    r.run(1)
    assert [e.values["token"] for e in r.events("PING_REPLY")] == [4]
    assert refusal_reasons(r)[-2:] == ["REPLAYED", "BAD_CHALLENGE"]
    assert r.stages(3)[-1] == ("REJECTED", "BAD_CHALLENGE", 255)
    assert r.last("SECURITY")["highest_sn"] == T + 200


def test_a_captured_sa_set_arsn_replayed_in_a_loop_floods_nothing():
    r = lost()
    stale = sealed("SA_SET_ARSN", 1, T, arsn=5, challenge=4321)  # an old one, recorded
    for _ in range(500):
        r.flight.receive(stale)
    r.run(2)
    assert len(r.events("UPLINK_REFUSED")) <= 12  # the burst and the rate, not 500
    assert not r.events("CMD_REJECTED")  # refused before dispatch: no event per copy
    sec = r.last("SECURITY")
    assert (sec["replayed"], sec["arsn_known"]) == (500, "NO")
    assert r.last("HK")["cmd_rejected"] == 500


def test_a_stored_step_setting_the_counter_needs_the_challenge_too():
    r = lost()
    step = CATALOG.encode_command("SA_SET_ARSN", {"arsn": T, "challenge": 1}, 9)
    r.flight.dispatcher.receive(step)  # as the sequencer runs a step
    r.run(1)
    assert r.stages(9) == [("REJECTED", "BAD_CHALLENGE", 1)]
    assert r.last("SECURITY")["arsn_known"] == "NO"


def test_sa_set_arsn_is_judged_by_its_mac():
    r = lost()
    forged = secure.seal(
        CATALOG.encode_command("SA_SET_ARSN", {"arsn": 5, "challenge": 1234}, 1),
        bytes(32),
        KEY.spi,
        T,
    )
    r.flight.receive(frame(forged))
    r.run(1)
    assert refusal_reasons(r) == ["BAD_MAC"]
    assert r.last("SECURITY")["arsn_known"] == "NO"


def test_insecure_has_no_counter_to_set():
    r = Rover()
    r.send("SA_SET_ARSN", arsn=5, challenge=0)
    r.run(1)
    assert r.stages(0) == [("REJECTED", "NOT_SUPPORTED", 255)]


def test_a_number_beyond_the_forward_limit_is_refused_and_cannot_lock_the_uplink_out():
    r = Rover(key=KEY)
    r.flight.receive(sealed("PING", 0, T, token=0))
    limit = int(r.flight.params["ARSN_FORWARD_LIMIT"]) * DAY
    r.flight.receive(sealed("PING", 1, T + limit + 1, token=1))  # a clock set wrong
    r.flight.receive(sealed("PING", 2, secure.MAX_SN, token=2))  # the worst case
    r.flight.receive(sealed("PING", 3, T + limit, token=3))  # just inside: a long silence
    r.run(1)
    assert [e.values["token"] for e in r.events("PING_REPLY")] == [0, 3]
    assert refusal_reasons(r) == ["SN_TOO_FAR_AHEAD", "SN_TOO_FAR_AHEAD"]
    sec = r.last("SECURITY")
    assert (sec["too_far_ahead"], sec["highest_sn"], sec["forward_limit"]) == (2, T + limit, 60)


def test_a_counter_pushed_to_the_top_is_brought_back_by_sa_set_arsn():
    r = Rover(key=KEY, flight={"replay_floor": secure.MAX_SN, "challenges": lambda: 77})
    r.flight.receive(sealed("PING", 0, T, token=0))  # nothing is above the counter
    r.flight.receive(sealed("SA_SET_ARSN", 1, T + 1, arsn=T + 1, challenge=77))
    r.flight.receive(sealed("PING", 2, T + 2, token=2))
    r.run(1)
    assert refusal_reasons(r) == ["REPLAYED"]
    assert [e.values["token"] for e in r.events("PING_REPLY")] == [2]


class FullDisk:
    """Non-volatile memory on a full disk until `fixed`."""

    def __init__(self) -> None:
        self.kept: list[int] = []
        self.fixed = False

    def __call__(self, sn: int) -> None:
        if not self.fixed:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.kept.append(sn)


def test_a_counter_that_cannot_be_kept_refuses_its_command_and_the_rover_stays_up():
    disk = FullDisk()
    r = Rover(key=KEY, flight={"keep_replay": disk})
    r.flight.receive(sealed("NOOP", 0, T))
    r.flight.receive(sealed("PING", 1, T + 1, token=1))
    r.run(2)
    assert not r.events("NOOP") and not r.events("PING_REPLY")  # neither ran
    assert r.stages(0) == [("REJECTED", "NVRAM_FAILED", 255)]
    assert refusal_reasons(r) == ["NVRAM_FAILED", "NVRAM_FAILED"]
    assert [e.text() for e in r.events("NVRAM_FAILED")] == [  # once for the run of failures
        "Non-volatile memory write failed (errno 28): commands are refused NVRAM_FAILED "
        "until the anti-replay counter can be kept"
    ]
    sec = r.last("SECURITY")
    assert (sec["nvram_failed"], sec["nvram_errno"]) == (2, errno.ENOSPC)
    hk_before = len([p for p in r.packets if p.name == "HK"])
    r.run(3)
    assert len([p for p in r.packets if p.name == "HK"]) >= hk_before + 3  # still running
    assert r.last("HK")["mode"] == "STANDBY"
    disk.fixed = True  # space freed
    r.flight.receive(sealed("PING", 2, T + 2, token=2))
    r.flight.receive(sealed("PING", 1, T + 1, token=1))  # the refused one does not run late
    r.run(1)
    assert [e.values["token"] for e in r.events("PING_REPLY")] == [2]
    assert disk.kept == [T + 2]
    assert r.last("SECURITY")["nvram_errno"] == 0


def test_sa_set_arsn_that_cannot_be_kept_fails_and_changes_nothing():
    disk = FullDisk()
    flight = {"replay_floor": None, "keep_replay": disk, "challenges": lambda: 9}
    r = Rover(key=KEY, flight=flight)
    r.flight.receive(sealed("SA_SET_ARSN", 0, T, arsn=T, challenge=9))
    r.run(1)
    assert r.stages(0)[-1] == ("FAILED", "NVRAM_FAILED", 255)
    assert r.last("SECURITY")["arsn_known"] == "NO"
    disk.fixed = True
    r.flight.receive(sealed("SA_SET_ARSN", 1, T, arsn=T, challenge=9))  # same challenge: unused
    r.run(1)
    assert r.stages(1)[-1][0] == "COMPLETED" and disk.kept == [T]


def test_two_commands_signed_10_ms_apart_and_delivered_in_reverse_both_run_once():
    now = [T]
    signer = Signer(KEY, lambda: now[0])  # the console's signer, on its microsecond clock
    first = frame(signer.seal(CATALOG.encode_command("PING", {"token": 1}, 1)))
    now[0] += 10_000  # 10 ms later
    second = frame(signer.seal(CATALOG.encode_command("PING", {"token": 2}, 2)))
    r = Rover(key=KEY)
    for packet in (second, first, second, first):  # reversed, then each again
        r.flight.receive(packet)
    r.run(1)
    assert [e.values["token"] for e in r.events("PING_REPLY")] == [2, 1]
    assert refusal_reasons(r) == ["REPLAYED", "REPLAYED"]


def test_security_counters_saturate_instead_of_wrapping():
    r = Rover(key=KEY)
    r.flight.security.refused[Reason.BAD_MAC] = (1 << 32) + 5
    r.run(1)
    assert r.last("SECURITY")["bad_mac"] == 0xFFFFFFFF


def test_a_withheld_sa_set_arsn_delivered_after_later_commands_lets_none_run_again():
    """A relay holds back the operator's SA_SET_ARSN, lets the next commands through, then
    delivers it: it would set the counter below them and open the way to replay each."""
    r = Rover(key=KEY, flight={"challenges": iter(range(100, 200)).__next__})
    r.run(1)
    challenge = r.last("SECURITY")["challenge"]
    withheld = sealed("SA_SET_ARSN", 1, T + 1, arsn=T + 1, challenge=challenge)
    later = [sealed("PING", 2, T + 2, token=2), sealed("PING", 3, T + 3, token=3)]
    for packet in later:
        r.flight.receive(packet)
    r.run(1)
    r.flight.receive(withheld)
    for packet in later:  # replayed
        r.flight.receive(packet)
    r.run(1)
    assert [e.values["token"] for e in r.events("PING_REPLY")] == [2, 3]
    assert refusal_reasons(r) == ["BAD_CHALLENGE", "REPLAYED", "REPLAYED"]
    assert not r.events("ARSN_SET") and r.last("SECURITY")["highest_sn"] == T + 3
