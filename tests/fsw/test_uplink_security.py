"""Authenticated uplink on board: bare, forged and replayed commands do nothing, are counted, and
are reported; the anti-replay window at its edges; and running insecure is said everywhere."""

import pytest

from fsw.packets import secure
from fsw.packets.framing import frame
from fsw.packets.reasons import Reason
from fsw.security import REMEMBERED, Key, ReplayWindow, parse_key
from fsw.tables import CATALOG
from tests.fsw.support import Rover

KEY = Key(7, bytes(range(32)))


def sealed(name: str, seq: int, sn: int, key: Key = KEY, **args: object) -> bytes:
    return frame(secure.seal(CATALOG.encode_command(name, args, seq), key.secret, key.spi, sn))


def rover() -> Rover:
    r = Rover(key=KEY)
    r.run(1)
    return r


def pings(r: Rover) -> list[int]:
    return [e.values["token"] for e in r.events("PING_REPLY")]


def refusals(r: Rover) -> list[tuple[str, int, int]]:
    return [((v := e.shown())["reason"], v["seq"], v["sn"]) for e in r.events("UPLINK_REFUSED")]


def test_a_signed_command_runs_and_housekeeping_says_the_uplink_is_authenticated():
    r = rover()
    r.flight.receive(sealed("PING", 0, 100, token=1))
    r.run(1)
    assert pings(r) == [1]
    assert [s[0] for s in r.stages(0)] == ["ACCEPTED", "STARTED", "COMPLETED"]
    assert r.last("HK")["uplink_auth"] == "AUTHENTICATED"
    sec = r.last("SECURITY")
    assert (sec["spi"], sec["highest_sn"], sec["authenticated"]) == (7, 100, 1)
    assert not r.events("UPLINK_INSECURE")


def test_bare_forged_and_replayed_commands_do_nothing_and_are_reported():
    r = rover()
    r.flight.receive(frame(CATALOG.encode_command("PING", {"token": 2}, 1)))  # bare
    wrong = bytearray(KEY.secret)
    wrong[31] ^= 0x01  # the key wrong by one bit
    r.flight.receive(sealed("PING", 2, 200, Key(7, bytes(wrong)), token=3))
    r.flight.receive(sealed("PING", 3, 200, Key(8, KEY.secret), token=4))  # another SPI
    good = sealed("PING", 4, 201, token=5)
    r.flight.receive(good)
    r.flight.receive(good)  # the same frame again: a replay
    r.run(1)
    assert pings(r) == [5]
    assert refusals(r) == [
        ("UNAUTHENTICATED", 1, 0),
        ("BAD_MAC", 2, 200),
        ("UNAUTHENTICATED", 3, 200),
        ("REPLAYED", 4, 201),
    ]
    assert r.stages(1) == [("REJECTED", "UNAUTHENTICATED", 255)]
    assert r.stages(2) == [("REJECTED", "BAD_MAC", 255)]
    assert [s[:2] for s in r.stages(4)][-1] == ("REJECTED", "REPLAYED")
    sec = r.last("SECURITY")
    assert (sec["unauthenticated"], sec["bad_mac"], sec["replayed"]) == (2, 1, 1)
    assert sec["highest_sn"] == 201  # the forgery did not move the window
    hk = r.last("HK")
    assert (hk["cmd_accepted"], hk["cmd_rejected"]) == (1, 4)
    assert r.events("UPLINK_REFUSED")[0].definition.severity.name == "ERROR"


def test_a_refused_forgery_does_not_use_up_its_sequence_number():
    r = rover()
    wrong = Key(7, bytes(32))
    r.flight.receive(sealed("PING", 0, 50, wrong, token=1))
    r.flight.receive(sealed("PING", 1, 50, token=2))  # the real one with that number still runs
    r.run(1)
    assert pings(r) == [2]


W = 1_000_000  # ANTI_REPLAY_WINDOW's default: a second of the ground's microsecond numbering
T = 1_700_000_000_000_000  # a ground clock in microseconds


@pytest.mark.parametrize(
    ("sn", "runs"),
    [
        (T, False),  # the highest itself: used
        (T - 1, True),  # just below, unused
        (T - (W - 1), True),  # the last number inside the window
        (T - W, False),  # the first outside it
        (T + 1, True),  # above the highest
    ],
)
def test_the_anti_replay_window_at_its_edges(sn, runs):
    r = rover()
    r.flight.receive(sealed("PING", 0, T, token=0))
    r.flight.receive(sealed("PING", 1, sn, token=1))
    r.run(1)
    assert pings(r) == ([0, 1] if runs else [0])
    if not runs:
        assert refusals(r)[-1][0] == "REPLAYED"


def test_window_bookkeeping_across_jumps_and_out_of_order_arrivals():
    w = ReplayWindow()
    far = 1 << 64
    for sn in (5, 3, 10, 4, 9):
        assert w.judge(sn, 8, far) is None
        w.accept(sn)
    assert w.judge(2, 8, far) == (
        Reason.REPLAYED,
        "sequence number 2 is 8 below the highest (10), outside the window of 8",
    )
    assert w.judge(3, 8, far) == (Reason.REPLAYED, "sequence number 3 was already used")
    assert w.judge(6, 8, far) is None and w.judge(11, 8, far) is None
    assert w.judge(31, 8, 20) == (
        Reason.SN_TOO_FAR_AHEAD,
        "sequence number 31 is 21 above the highest (10), beyond the forward limit of 20",
    )
    w.accept(10**15)  # a jump: the window moves up with it
    assert w.judge(10**15 - 1, 8, far) is None
    assert w.judge(10**15, 8, far) == (
        Reason.REPLAYED,
        f"sequence number {10**15} was already used",
    )
    assert w.judge(0, 8, far) == (
        Reason.REPLAYED,
        "sequence number 0 is never used (they start at 1)",
    )


def test_the_window_remembers_a_bounded_number_of_used_numbers_then_raises_its_floor():
    w = ReplayWindow()
    for sn in range(1, REMEMBERED + 2):  # one more than it remembers
        w.accept(sn)
    assert w.floor == 1  # the oldest forgotten: refused as if used
    assert "at or below 1" in w.judge(1, W, W)[1]
    assert w.judge(REMEMBERED + 2, W, W) is None


def test_insecure_says_so_at_boot_and_in_every_housekeeping_packet_and_opens_envelopes():
    r = Rover()  # no key: the library default, as `rover fsw --insecure`
    r.run(3)
    assert [e.text() for e in r.events("UPLINK_INSECURE")] == [
        "Uplink and downlink NOT authenticated (--insecure): anyone who can reach the link "
        "can command, and forge telemetry"
    ]
    assert {p.shown()["uplink_auth"] for p in r.packets if p.name == "HK"} == {"INSECURE"}
    assert {p.shown()["downlink_auth"] for p in r.packets if p.name == "HK"} == {"INSECURE"}
    assert r.verifier.unverified == len(r.packets)  # they came down plain
    r.flight.receive(sealed("PING", 0, 1, token=9))  # a console that signs still works
    r.flight.receive(frame(CATALOG.encode_command("PING", {"token": 8}, 1)))
    r.run(1)
    assert pings(r) == [9, 8]


def test_an_envelope_holding_no_good_command_is_refused_without_effect():
    r = rover()
    inner = bytearray(CATALOG.encode_command("PING", {"token": 1}, 0))
    inner[-1] ^= 0xFF  # its own CRC broken, under a good MAC
    r.flight.receive(frame(secure.seal(bytes(inner), KEY.secret, KEY.spi, 10)))
    tm = CATALOG.encode_command("PING", {"token": 1}, 1)
    nested = secure.seal(secure.seal(tm, KEY.secret, KEY.spi, 11), KEY.secret, KEY.spi, 12)
    r.flight.receive(frame(nested))
    r.run(1)
    assert pings(r) == []
    assert [x[0] for x in refusals(r)] == ["BAD_CRC", "BAD_HEADER"]
    assert r.last("SECURITY")["malformed"] == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("spi = 1\n", "needs `key"),
        ('key = "00"\n', "needs `spi"),
        ('spi = 1\nkey = "zz"\n', "not hex"),
        ('spi = 1\nkey = "00"\n', "1 bytes; an HMAC-SHA256 key here is 32"),
        ('spi = 0\nkey = "' + "00" * 32 + '"\n', "spi 0 is outside 1..65535"),
        ('spi = 1\nkey = "' + "00" * 32 + '"\nmode = 2\n', "unknown entry 'mode'"),
        ("spi = = 1", "not TOML"),
    ],
)
def test_a_bad_key_file_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_key(text)


def test_a_key_file_round_trips_and_never_prints_its_secret():
    assert parse_key(KEY.text()) == KEY
    assert KEY.secret.hex() not in repr(KEY)


def test_widening_the_window_lets_no_used_number_back_in():
    r = rover()
    r.flight.receive(sealed("SET_PARAM", 199, 1, param="ANTI_REPLAY_WINDOW", value=64.0))
    for sn in range(2, 101):
        r.flight.receive(sealed("PING", sn, sn, token=sn))
    r.flight.receive(sealed("SET_PARAM", 200, 101, param="ANTI_REPLAY_WINDOW", value=1024.0))
    r.flight.receive(sealed("PING", 300, 30, token=30))  # 71 below: outside 64, inside 1024
    r.run(1)
    assert r.flight.params["ANTI_REPLAY_WINDOW"] == 1024
    assert pings(r).count(30) == 1
    assert refusals(r)[-1] == ("REPLAYED", 300, 30)


def test_the_anti_replay_counter_survives_a_restart():
    kept: list[int] = []  # the rover's non-volatile memory
    first = Rover(key=KEY, flight={"keep_replay": kept.append})
    capture = sealed("PING", 0, 1_000, token=1)
    first.flight.receive(capture)
    assert kept == [1_000]
    again = Rover(key=KEY, flight={"replay_floor": kept[-1]})  # restarted, counter restored
    again.flight.receive(capture)  # captured before the restart: still refused
    again.flight.receive(sealed("PING", 1, 999, token=3))  # below, never used: refused too
    again.flight.receive(sealed("PING", 2, 1_001, token=2))
    again.run(1)
    assert pings(again) == [2]
    assert [x[0] for x in refusals(again)] == ["REPLAYED", "REPLAYED"]


def test_a_flood_without_the_key_is_counted_but_reported_at_a_limited_rate():
    r = rover()
    for seq in range(2000):  # bare commands, as fast as the link allows
        r.flight.receive(frame(CATALOG.encode_command("PING", {"token": seq}, seq & 0x3FFF)))
    r.run(5)
    for seq in range(5):
        r.flight.receive(frame(CATALOG.encode_command("PING", {"token": seq}, seq)))
    r.run(1)
    sec = r.last("SECURITY")
    assert sec["unauthenticated"] == 2005 and pings(r) == []
    reported = len(refusals(r))
    assert 10 <= reported <= 17  # the burst, then about one a second
    assert sec["unreported"] == 2005 - reported
    assert r.last("HK")["cmd_rejected"] == 2005  # reported or not, every refusal counts
    store = r.flight.forward.store
    assert store.evicted == [0, 0]  # nothing pushed out of the store


def test_every_report_names_the_envelope_that_carried_its_command():
    """The ground files a report only under the envelope it sent: the rover echoes its SN in
    CMD_VERIFY, for a command run, a refused replay and a refused forgery alike."""
    r = rover()
    good = sealed("PING", 5, 300, token=6)
    r.flight.receive(good)
    r.flight.receive(good)  # the copy, refused: it names the same envelope
    wrong = Key(7, bytes(32))
    r.flight.receive(sealed("PING", 6, 400, wrong, token=7))
    r.flight.receive(frame(CATALOG.encode_command("PING", {"token": 8}, 7)))  # bare: none
    r.run(1)
    sns = [(v["cmd_seq"], v["stage"], v["cmd_sn"]) for p in r.packets
           if p.name == "CMD_VERIFY" and (v := p.shown())["cmd_seq"] in (5, 6, 7)]  # fmt: skip
    assert sns == [
        (5, "ACCEPTED", 300),
        (5, "STARTED", 300),
        (5, "COMPLETED", 300),
        (5, "REJECTED", 300),
        (6, "REJECTED", 400),
        (7, "REJECTED", 0),
    ]
