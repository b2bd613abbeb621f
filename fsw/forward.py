"""Store and forward: every telemetry packet goes into the onboard store, and down live only while
the relay is in view; what was stored out of contact, or asked for by PLAYBACK, is played back.

- In contact (FlightSoftware.contact()): a packet goes down live, and into the store.
- Out of contact: it only goes into the store, and joins the automatic playback.
- Playback is a queue of jobs, oldest first: the automatic one (packets stored out of contact)
  and those PLAYBACK_TIME and PLAYBACK_SEQ commanded (at most MAX_JOBS). While in contact, each
  control cycle sends up to PLAYBACK_BUDGET stored packets, each in a playback envelope
  (fsw.packets.playback) stamped with the time it is sent, so a day of telemetry does not come
  down in one burst. A job raises PLAYBACK_STARTED when its first packet goes and
  PLAYBACK_FINISHED after its last; a commanded job's command completes then.
- A packet evicted from the store before its turn is skipped, and counted in PLAYBACK_FINISHED.
- The first packet the store loses raises STORE_OVERFLOW (once, until STORE_CLEAR).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fsw.packets import playback
from fsw.packets.reasons import Reason
from fsw.store import Store
from fsw.tables.enums import Flag, PlaybackCause

if TYPE_CHECKING:
    from fsw.dispatch import Command
    from fsw.flight import FlightSoftware

MAX_JOBS = 8
"""Playbacks that may wait at once (a ninth PLAYBACK command is rejected BUSY)."""


@dataclass
class Job:
    """One playback: store indices left to send, oldest first, and the command that asked."""

    cause: PlaybackCause
    command: Command | None = None
    indices: deque[int] = field(default_factory=deque)
    started: bool = False
    sent: int = 0
    lost: int = 0  # evicted before their turn


class StoreAndForward:
    """The downlink path of the flight software `f`: live, stored, played back."""

    def __init__(self, f: FlightSoftware, size: int) -> None:
        self.f = f
        self.store = Store(size)
        self.jobs: deque[Job] = deque()
        self.played = 0  # envelopes sent since boot
        self.live = 0  # packets sent live since boot

    def send(self, packet: bytes, precious: bool) -> None:
        """A telemetry packet from the flight software: down if in contact, and into the store
        (events and verification reports are `precious`, kept before housekeeping)."""
        live = self.f.contact()
        if live:
            self.live += 1
            self.f.downlink(packet)
        overflowed = self.store.overflowed
        entry = self.store.add(packet, precious)
        if entry is not None and not live:
            self._auto_job().indices.append(entry.index)
            self.store.queue(entry.index)
            self._compact(self.jobs[-1])
        if self.store.overflowed and not overflowed:
            self.f.emit(
                "STORE_OVERFLOW",
                {"size": self.store.size, "housekeeping": self.store.evicted_housekeeping,
                 "precious": self.store.evicted_precious},
            )  # fmt: skip

    def _auto_job(self) -> Job:
        if not self.jobs or self.jobs[-1].cause is not PlaybackCause.CONTACT:
            self.jobs.append(Job(PlaybackCause.CONTACT))
        return self.jobs[-1]

    def _compact(self, job: Job) -> None:
        """Forget evicted indices once they outnumber the store (a long outage), keeping memory
        bounded by the store's size; amortised O(1) per packet."""
        if len(job.indices) > 2 * len(self.store) + 1024:
            kept = deque(i for i in job.indices if i in self.store.entries)
            job.lost += len(job.indices) - len(kept)
            job.indices = kept

    def request(self, cause: PlaybackCause, indices: list[int], command: Command) -> None:
        """Queue a commanded playback of these store entries (checked by the caller)."""
        job = Job(cause, command, deque(indices))
        for index in indices:
            self.store.queue(index)
        self.jobs.append(job)

    def cycle(self) -> None:
        """One control cycle: play back up to PLAYBACK_BUDGET packets if in contact."""
        if not self.jobs or not self.f.contact():
            return
        budget = int(self.f.params["PLAYBACK_BUDGET"])
        while budget > 0 and self.jobs:
            job = self.jobs[0]
            if not job.started:
                job.started = True
                self.f.emit("PLAYBACK_STARTED", {"packets": len(job.indices), "cause": job.cause})
            while budget > 0 and job.indices:
                entry = self.store.unqueue(job.indices.popleft())
                if entry is None:
                    job.lost += 1
                    continue
                out = self.f.outbox
                envelope = playback.wrap(entry.packet, out.next_seq(playback.APID), out.stamp())
                self.f.downlink(envelope)
                self.played += 1
                job.sent += 1
                budget -= 1
            if not job.indices:
                self._finish(self.jobs.popleft(), None)

    def _finish(self, job: Job, failure: Reason | None) -> None:
        self.f.emit(
            "PLAYBACK_FINISHED",
            {"sent": job.sent, "lost": job.lost, "cause": job.cause,
             "reason": failure if failure is not None else Reason.OK},
        )  # fmt: skip
        if job.command is not None:
            if failure is None:
                self.f.dispatcher.complete(job.command)
            else:
                self.f.dispatcher.fail(job.command, failure)

    def abort(self) -> int:
        """End every playback (PLAYBACK_ABORT, STORE_CLEAR): commanded ones fail ABORTED; how
        many packets were left unsent."""
        left = 0
        # taken first: out of contact, the reports below are stored and start a new playback
        jobs, self.jobs = self.jobs, deque()
        for job in jobs:
            for index in job.indices:
                if self.store.unqueue(index) is not None:
                    left += 1
            self._finish(job, Reason.ABORTED)
        return left

    def telemetry(self) -> dict[str, Any]:
        """The STORE packet's values."""
        s = self.store
        oldest = s.oldest()
        return {
            "contact": Flag.YES if self.f.contact() else Flag.NO,
            "size": s.size,
            "used": s.used,
            "used_percent": 100.0 * s.used / s.size,
            "packets": len(s),
            "oldest": int(oldest.time) if oldest is not None else 0,
            "evicted_housekeeping": s.evicted_housekeeping & 0xFFFFFFFF,
            "evicted_precious": s.evicted_precious & 0xFFFFFFFF,
            "pending": s.pending,
            "playbacks": len(self.jobs),
            "played_back": self.played & 0xFFFFFFFF,
        }

    def clear(self) -> int:
        """Abort every playback and empty the store; how many packets were dropped."""
        self.abort()
        return self.store.clear()
