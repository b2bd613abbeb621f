"""Who holds the TCP link of an authenticated rover: the first ground; a new connection takes it
only by proving the uplink key (a fresh signed command); anything else is refused with a reason
and the operator keeps the link. Real sockets, a real TcpRadio and the flight software."""

import select
import socket
import time

import pytest

from fsw.packets.framing import frame
from fsw.packets.reasons import Reason
from fsw.security import ReplayWindow
from fsw.tables import CATALOG
from hil.radio import TcpRadio, listen
from hil.radio import tcp as tcp_module
from hil.radio.proof import KeyProof
from tests.hil.radio.test_proof import fresh
from tests.hil.support import FINAL, Emulator, Ground, eventually
from tools.ground.signer import Signer, new_key

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")

KEY = new_key()
STAGES = ["ACCEPTED", "STARTED", "COMPLETED"]


@pytest.fixture
def rover():
    started: list[Emulator] = []

    def start(*, newest_wins: bool = False, **radio: object) -> Emulator:
        if newest_wins:
            emu = Emulator.start(
                lambda receive, reset, say: TcpRadio("127.0.0.1", 0, receive, reset, say),
                key=KEY,
            )
        else:
            emu = Emulator.keyed(KEY, **radio)
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()


@pytest.fixture
def ground():
    opened: list[Ground] = []

    def connect(emu: Emulator, *, signed: bool) -> Ground:
        g = Ground.tcp(emu.radio.address)
        if signed:
            g.signer = Signer(KEY, lambda: time.time_ns() // 1000)
        opened.append(g)
        return g

    yield connect
    for g in opened:
        g.close()


def name(g: Ground) -> str:
    return f"127.0.0.1:{g.sock.getsockname()[1]}"


def final(g: Ground, seq: int) -> str:
    """Command `seq`'s final stage, from what `g` heard already or hears next."""

    def found() -> str | None:
        stages = [p.shown()["stage"] for p in g.events("CMD_VERIFY") if p.values["cmd_seq"] == seq]
        return next((s for s in stages if s in FINAL), None)

    def heard() -> str | None:
        g.listen()
        return found()

    return eventually(heard)


def closed_unheard(g: Ground, timeout: float = 5.0) -> bool:
    """Whether the radio closed `g` before it heard any packet."""
    deadline = time.monotonic() + timeout
    while not g.closed and time.monotonic() < deadline:
        g.listen(0.05)
    return g.closed and g.heard == []


def test_without_the_key_a_new_connection_is_refused_and_the_operator_keeps_the_link(rover, ground):
    emu = rover(proof_timeout=0.5)
    operator = ground(emu, signed=True)
    operator.send("PING", 1, token=1)
    assert operator.stages(1) == STAGES

    silent = ground(emu, signed=False)
    assert closed_unheard(silent)
    unsigned = ground(emu, signed=False)
    unsigned.send("PING", 9, token=9)
    assert closed_unheard(unsigned)

    operator.send("PING", 2, token=2)
    assert operator.stages(2) == STAGES
    refusals = [s for s in emu.said if "refused" in s]
    assert refusals == [
        f"ground {name(silent)} refused: no proof of the uplink key within 0.5 s; "
        f"{name(operator)} keeps the link",
        f"ground {name(unsigned)} refused: its first packet (APID 16) is not signed with the "
        f"uplink key; {name(operator)} keeps the link",
    ]
    c = emu.radio.counters
    assert (c.connections, c.refused, c.proven, c.pending) == (3, 2, 0, 0)
    assert c.undelivered == len(frame(CATALOG.encode_command("PING", {"token": 9}, 9)))
    assert emu.flight.security.refused[Reason.UNAUTHENTICATED] == 0  # never reached it
    status = emu.radio.status()  # what RADIO telemetry reports
    assert (status.connected, status.refused, status.undelivered) == (True, 2, c.undelivered)


def test_with_the_key_a_new_connection_takes_the_link_and_the_old_one_is_closed(rover, ground):
    emu = rover()
    old = ground(emu, signed=True)
    old.send("PING", 1, token=1)
    assert old.stages(1) == STAGES

    new = ground(emu, signed=True)
    new.send("PING", 5, token=5)  # the proof, then a command right behind it
    new.send("PING", 6, token=6)
    assert new.stages(5) == STAGES
    assert final(new, 6) == "COMPLETED"
    eventually(lambda: old.listen() == [] and old.closed)
    assert f"ground {name(new)} proved the uplink key and takes the link; {name(old)} closed" in (
        emu.said
    )
    assert emu.radio.counters.proven == 1 and emu.radio.counters.refused == 0


def test_a_replayed_captured_command_is_no_proof(rover, ground):
    emu = rover()
    operator = ground(emu, signed=True)
    captured = frame(operator.signer.seal(CATALOG.encode_command("PING", {"token": 1}, 1)))
    operator.send_raw(captured)
    assert operator.stages(1) == STAGES

    attacker = ground(emu, signed=False)
    attacker.send_raw(captured)
    assert closed_unheard(attacker)
    assert any("is a replay" in s and "was already used" in s for s in emu.said)
    operator.send("PING", 2, token=2)
    assert operator.stages(2) == STAGES
    assert emu.flight.security.refused[Reason.REPLAYED] == 0  # the rover never saw the replay


def test_a_proof_copied_by_a_relay_before_the_rover_ran_it_does_not_take_the_link():
    """A relay in the middle copies a ground's proof onto its own connection at once, while the
    proof is still on its way to the flight software (here it never gets there)."""
    said: list[str] = []
    window = ReplayWindow()  # stays as it is: nothing reaches the flight software
    vouch = KeyProof(KEY, fresh(window))
    radio = TcpRadio("127.0.0.1", 0, lambda _data: None, None, said.append, vouch=vouch)
    radio.start()
    grounds = [Ground.tcp(radio.address)]  # the holder
    try:
        eventually(lambda: radio.connected)
        proof = frame(Signer(KEY, lambda: 1000).seal(CATALOG.encode_command("NOOP", {}, 1)))
        owner = Ground.tcp(radio.address)
        grounds.append(owner)
        owner.send_raw(proof)
        eventually(lambda: radio.counters.proven == 1)
        copy = Ground.tcp(radio.address)
        grounds.append(copy)
        copy.send_raw(proof)
        assert closed_unheard(copy)
        assert any("already proved the key on another connection" in s for s in said)
        owner.listen(0.5)
        assert not owner.closed and radio.counters.proven == 1  # the owner keeps the link
    finally:
        for g in grounds:
            g.close()
        radio.close()


def test_newest_wins_restores_the_old_behaviour_key_or_not(rover, ground):
    emu = rover(newest_wins=True)
    first = ground(emu, signed=True)
    eventually(lambda: emu.radio.connected)
    second = ground(emu, signed=False)
    eventually(lambda: any("replaced (newest wins)" in s for s in emu.said))
    eventually(lambda: first.listen() == [] and first.closed)
    assert second.until(lambda p: p.name == "HK")


def test_a_waiting_connection_takes_the_link_when_the_holder_leaves(rover, ground):
    emu = rover(proof_timeout=10.0)
    first = ground(emu, signed=True)
    eventually(lambda: emu.radio.connected)
    waiting = ground(emu, signed=False)
    eventually(lambda: emu.radio.counters.pending == 1)
    first.close()
    assert waiting.until(lambda p: p.name == "HK")
    assert f"ground {name(waiting)} connected (the link was free)" in emu.said


def test_garbage_is_refused_at_once_and_a_crowd_of_silent_connections_makes_room(rover, ground):
    emu = rover(proof_timeout=30.0, max_pending=2)
    operator = ground(emu, signed=True)
    eventually(lambda: emu.radio.connected)
    garbage = ground(emu, signed=False)
    garbage.send_raw(b"\x01" * 5000)  # a runaway frame: more than any proof
    assert closed_unheard(garbage)
    silent = [ground(emu, signed=False) for _ in range(2)]
    eventually(lambda: emu.radio.counters.pending == 2)
    newcomer = ground(emu, signed=True)  # the oldest silent one makes room for it
    assert closed_unheard(silent[0])
    newcomer.send("PING", 7, token=7)  # and it proves the key
    assert final(newcomer, 7) == "COMPLETED"
    eventually(lambda: operator.listen() == [] and operator.closed)
    refusals = [s.split(": ", 1)[1] for s in emu.said if "refused" in s]
    assert [r.split(";")[0] for r in refusals] == [
        "its first bytes are not a good frame (OVERSIZE)",
        "made room for newer connections (2 may wait for a proof)",
    ]
    assert not silent[1].listen() and not silent[1].closed  # still waiting, 30 s to go


def test_a_flood_of_refusals_is_summed_up_not_echoed(rover, ground, monkeypatch):
    monkeypatch.setattr(tcp_module, "NOTE_BURST", 1)
    monkeypatch.setattr(tcp_module, "NOTE_PERIOD", 0.5)
    emu = rover()
    ground(emu, signed=True)
    eventually(lambda: emu.radio.connected)
    bare = frame(CATALOG.encode_command("NOOP", {}, 0))
    for _ in range(10):
        g = ground(emu, signed=False)
        g.send_raw(bare)
        assert closed_unheard(g)
    time.sleep(0.55)
    last = ground(emu, signed=False)
    last.send_raw(bare)
    assert closed_unheard(last)
    lines = [s for s in emu.said if "refused" in s]
    assert len(lines) < 11
    more = [int(s.rsplit("(", 1)[1].split()[0]) for s in lines if s.endswith("refused since)")]
    assert len(lines) + sum(more) == emu.radio.counters.refused == 11


def test_a_burst_of_connections_is_completed_by_the_kernel_without_waiting_for_accept():
    listener = listen("127.0.0.1", 0)  # nobody accepts: only the backlog holds them
    address = listener.getsockname()
    clients = [socket.socket() for _ in range(100)]
    try:
        for c in clients:
            c.setblocking(False)
            c.connect_ex(address)
        pending = set(clients)
        deadline = time.monotonic() + 10.0
        while pending and time.monotonic() < deadline:
            _, ready, _ = select.select([], list(pending), [], 0.1)
            pending -= set(ready)
        errors = [c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) for c in clients]
        assert not pending and errors == [0] * 100  # backlog 2: only 3 get in, ever
    finally:
        for c in clients:
            c.close()
        listener.close()
