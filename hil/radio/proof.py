"""Proof that a new ground connection holds the uplink key, judged before it may take the link
from the ground that holds it (TcpRadio): its first packet must be an authenticated envelope
(fsw.packets.secure) for this rover's SPI, with a MAC that the key gives, and a sequence number
the flight software would still accept. A replayed, captured envelope is no proof: its number was
used. Nothing is consumed here; the proof, once the connection has the link, goes on to the
flight software like any command, which then uses up its number.

Thread safety: the judgement runs on a connection's reader thread while the anti-replay window
belongs to the flight thread. `fresh` only reads the window (ints, each read whole under the
GIL); a command accepted at the same instant can make that read stale, and then the verdict is
wrong at worst for that one envelope: the flight software judges the proof again when it is
delivered, so a stale "fresh" can hand the link to a replay but never runs it.

A proof that gave a connection the link is spent at once, here: until the flight software has
executed it (a cycle later, seconds later behind a relay), the window still calls it fresh, and a
relay in the middle that copied it onto a connection of its own would take the link from the
ground that proved it. The spent numbers are kept (the last SPENT of them) and judged under one
lock, so two connections racing with one proof cannot both win.

While the anti-replay counter is unknown (non-volatile memory lost), the window refuses every
number, and a proof judged by it would let any ground that holds the link (a listener without the
key, first to connect) keep the ground with the key from sending the SA_SET_ARSN that recovers
it. Then an authentic envelope proves the key if its number is above every proof's before it in
this run: a copy of an older proof, or of any command sent before the last takeover, proves
nothing; the flight software still runs none of them.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from fsw.packets import ccsds, secure
from fsw.packets.reasons import PacketError
from fsw.security import Key

SPENT = 256
"""Proofs remembered as spent: far more takeovers than can happen while one is on its way to the
flight software's window (which then refuses it for good)."""

Known = Callable[[], bool]
"""Whether the flight software knows its anti-replay counter (False: lost, SA_SET_ARSN pending)."""

Fresh = Callable[[int], str | None]
"""Why a sequence number would be refused as a replay now, or None if it would be accepted
(the flight software's ReplayWindow.judge with the present window; must not change it)."""


class KeyProof:
    """Judges a new connection's first packet: None when it proves the key, else why not."""

    def __init__(self, key: Key, fresh: Fresh, known: Known = lambda: True) -> None:
        self.key = key
        self._fresh, self._known = fresh, known
        self._highest = 0  # the highest number that proved the key in this run
        self._lock = threading.Lock()  # judged on several connections' reader threads at once
        self._spent: deque[int] = deque(maxlen=SPENT)  # numbers that already gave a link

    def __call__(self, packet: bytes) -> str | None:
        """Why `packet` (CRC checked) proves nothing, or None when it proves the key (and is
        then spent: the same envelope proves nothing on another connection)."""
        apid = ccsds.apid_of(packet)
        if apid != secure.APID:
            return f"its first packet (APID {apid}) is not signed with the uplink key"
        try:
            envelope = secure.unseal(packet)
        except PacketError as err:
            return f"its first packet is no proof: {err.message}"
        if envelope.spi != self.key.spi:
            return f"it signs with SPI {envelope.spi}; this rover has SPI {self.key.spi}"
        if not secure.authentic(envelope, self.key.secret):
            return "the MAC of its first packet does not match the uplink key"
        with self._lock:
            if envelope.sn in self._spent:
                return (f"its first packet is a replay (sequence number {envelope.sn} already "
                        "proved the key on another connection)")  # fmt: skip
            if not self._known():
                if envelope.sn <= self._highest:
                    return (f"its first packet is a replay (sequence number {envelope.sn} is not "
                            f"above {self._highest}, the last proof's, and the anti-replay counter "
                            "is unknown)")  # fmt: skip
            elif (replayed := self._fresh(envelope.sn)) is not None:
                return f"its first packet is a replay ({replayed})"
            self._spent.append(envelope.sn)
            self._highest = max(self._highest, envelope.sn)
        return None
