"""The relay model in a simulated run: what an in-process session puts between its ground and the
flight software when given `relay=PROFILE`. Frames go through the same model as `rover fsw`'s, on
the simulated clock, deterministic from the seed; the session delivers each at its arrival time.
The ground's end deframes and checks what arrives, as the live link does: a frame with flipped
bits is thrown away and counted (`discarded`)."""

from __future__ import annotations

from collections import Counter

from fsw.clock import Clock
from fsw.packets.framing import Deframer, frame
from fsw.packets.reasons import Reason
from hil.radio.relay import Delivery, RelayModel
from hil.radio.relay_profile import RelayProfile
from tools.ground.link import telemetry_only


class SimRelay:
    """Both directions of the relay for a session on `clock`, LOS counted from `origin`."""

    def __init__(self, profile: RelayProfile, clock: Clock, origin: float, seed: int) -> None:
        self.model = RelayModel(profile, origin=origin, seed=seed)
        self.clock = clock
        self.deframer = Deframer(accepts=telemetry_only)  # the ground's end

    @property
    def light_time(self) -> float:
        """One-way light-time (s)."""
        return self.model.light_time

    def contact(self) -> bool:
        """Whether a frame sent now would get down before the next LOS (the flight software's
        `contact` hook; RelayModel.downlink_clear)."""
        return self.model.downlink_clear(self.clock.now())

    def uplink(self, packet: bytes) -> Delivery:
        """A command packet sent from the ground now: its frame's fate."""
        return self.model.uplink.send(self.clock.now(), frame(packet))

    def downlink(self, packet: bytes) -> Delivery:
        """A telemetry packet sent by the flight software now: its frame's fate."""
        return self.model.downlink.send(self.clock.now(), frame(packet))

    def ground_packets(self, data: bytes) -> list[bytes]:
        """The good packets in a frame that reached the ground (none when bits were flipped)."""
        return self.deframer.feed(data).packets

    @property
    def discarded(self) -> Counter[Reason]:
        """Frames the ground threw away, by reason (CRC and the like)."""
        return self.deframer.discarded_frames
