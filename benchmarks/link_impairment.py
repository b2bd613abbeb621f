"""Link impairment campaign: hours of driving over the Queqiao relay model with frames lost, bits
flipped and loss-of-signal windows, the ground recovering everything through the rover's store.

    python benchmarks/link_impairment.py [--hours 2] [--loss 0.05] [--ber 1e-5] [--seed 1]

The flight software and the simulated rover run in process on the simulated clock, every frame
both ways through the relay model (1.75 s, 125 bit/s up, 285 kbit/s down, authenticated uplink),
with two 10-minute LOS windows. The ground drives waypoint to waypoint, sending only in contact;
a command that gets no report within two minutes of contact is sent again byte for byte (the
same authentication sequence number, so a copy that did arrive before is refused as REPLAYED),
and every fifth command is sent again after it was decided, as an operator unsure of its fate
might. Every 15 minutes of driving, and after the drive until nothing is missing, it asks for
what it lacks with PLAYBACK_TIME (the store keeps the newest packets: what is lost early must be
asked for before it is pushed out).

Targets: the archive holds every housekeeping packet the rover sent (zero gaps after playback,
checked against the rover's own counts and by `rover replay`'s gap count on the recorded log);
every command executed onboard at most once (counted on board, not from the link), and every
command the ground sent either executed or was rejected.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fsw.tables.enums import Apid, Stage  # noqa: E402
from hil.radio.relay_profile import QUEQIAO, LosWindow  # noqa: E402
from tools.ground.cmdline import CommandLine, parse  # noqa: E402
from tools.ground.gapfill import GapTracker  # noqa: E402
from tools.ground.inprocess import InProcessSession  # noqa: E402
from tools.ground.state import SentCommand, Update  # noqa: E402
from tools.replay.load import load  # noqa: E402
from tools.replay.summary import summary  # noqa: E402
from tools.scenario import parse as parse_scenario  # noqa: E402

HOUSEKEEPING = (Apid.TLM_HK, Apid.TLM_MOBILITY, Apid.TLM_WHEELS, Apid.TLM_POWER, Apid.TLM_FDIR,
                Apid.TLM_SECURITY)  # fmt: skip
PLAN = (
    "DRIVE distance=3 radius=0 speed=0.0447",
    "TURN_IN_PLACE angle=20",
    "DRIVE distance=3 radius=8 speed=0.04",
    "PING 1",
    "TURN_IN_PLACE angle=-20",
)
REPORT_WAIT = 120.0  # s without any report before a command is sent again
FINAL_WAIT = 300.0  # s for its final report (a drive of 3 m takes 70 s) before moving on
COPIES = 4  # times a command is sent at most during the drive
DOUBT = 5  # every fifth command is sent again after it was decided, to try the replay window
FILL_EVERY = 900.0  # s of driving between requests for what is missing
MERGE = 300.0  # s: missing packets closer than this are fetched with one PLAYBACK_TIME
ROUNDS = 12


class Campaign:
    """One run: the session, what the rover did (counted on board), and what the ground holds."""

    def __init__(self, hours: float, loss: float, ber: float, seed: int, log: Path) -> None:
        self.hours = hours
        span = min(600.0, 0.1 * hours * 3600)  # two 10-minute windows in a run of hours
        los = (LosWindow(0.3 * hours * 3600, span), LosWindow(0.7 * hours * 3600, span))
        profile = replace(QUEQIAO, name="queqiao-impaired", loss=loss, ber=ber, los=los)
        scenario = parse_scenario({"name": "impaired", "duration": hours * 3600 + 3600})
        self.s = InProcessSession(scenario, seed=seed, relay=profile, record=log)
        self.tracker = GapTracker()
        self.s.listeners.append(self._heard)
        self.executed: Counter[tuple[int, int]] = Counter()  # (APID, seq) -> ACCEPTED on board
        self.heard: Counter[int] = Counter()  # APID -> distinct packets the ground holds
        self._count_on_board()
        self.commands: list[SentCommand] = []
        self.retransmissions = 0
        self.head_swept = False

    def _count_on_board(self) -> None:
        flight = self.s.flight
        verify = flight.dispatcher.verify

        def counting_verify(stage: Stage, apid: int, code: int, seq: int, *rest: object) -> None:
            if stage is Stage.ACCEPTED:
                self.executed[(apid, seq)] += 1
            verify(stage, apid, code, seq, *rest)  # type: ignore[arg-type]

        flight.dispatcher.verify = counting_verify

    def _heard(self, update: Update) -> None:
        p = update.packet
        self.heard[p.apid] += 1  # the merger lets each packet through once
        self.tracker.saw(p.apid, p.seq_count, p.time or 0.0)

    def in_contact(self) -> bool:
        relay = self.s.relay
        return relay is None or relay.contact()

    def command(self, line: CommandLine) -> SentCommand:
        """Send in contact; send the same bytes again while no report comes."""
        self._wait_for_contact()
        sent = self.s.send(line)
        self.commands.append(sent)
        copies = 1
        while copies < COPIES:
            since = self.s.now()
            self.s.wait_for(lambda: sent.heard, REPORT_WAIT)
            if sent.heard:
                break
            self._wait_for_contact()
            if self._los_between(since):  # the reports wait in the store for contact: no resend
                continue
            self.s.retransmit(sent)
            self.retransmissions += 1
            copies += 1
        # its final report, unless reports were lost: then the playback at the end brings them
        self.s.wait_for(lambda: sent.final is not None or sent.waiting != [], FINAL_WAIT)
        if len(self.commands) % DOUBT == 0:  # an operator unsure it went: the same bytes again
            self._wait_for_contact()
            self.s.retransmit(sent)
            self.retransmissions += 1
        return sent

    def _los_between(self, since: float) -> bool:
        relay = self.s.relay
        if relay is None:
            return False
        los = relay.model.next_los(since)
        return los is not None and los <= self.s.now()

    def _wait_for_contact(self) -> None:
        while not self.in_contact():
            self.s.run_for(10)

    def drive(self) -> None:
        """Waypoint to waypoint until the hours are up, fetching what is missing as it goes:
        the store keeps the newest packets, so what is lost early must be asked for early."""
        end = self.hours * 3600
        filled = 0.0
        for text in itertools.cycle(PLAN):
            if self.s.elapsed() >= end:
                return
            self.command(parse(self.s.dictionary, text))
            if self.s.elapsed() - filled >= FILL_EVERY:
                filled = self.s.elapsed()
                self.fill(head=not self.head_swept)

    def fill(self, head: bool = False) -> None:
        """Ask for every window of missing packets (and, once, anything before the first packet
        heard of each APID: a lost first packet leaves no gap to see)."""
        windows = self.tracker.windows(MERGE)
        if head:
            windows.insert(0, (self.s.scenario.start_time, self.tracker.edges()[0]))
            self.head_swept = True
        for start, end in windows:
            line = parse(self.s.dictionary, f"PLAYBACK_TIME start={start} end={end + 1e-3}")
            self.command(line)

    def recover(self) -> int:
        """Ask for everything missing until nothing is; the rounds it took."""
        self.command(parse(self.s.dictionary, "SET_HK_PERIOD 3600"))  # quiet while recovering
        swept = False
        for rounds in range(1, ROUNDS + 1):
            self.s.run_for(60)
            windows = self.tracker.windows(MERGE)
            undecided = [s for s in self.commands if s.final is None]
            if not windows and swept and not undecided:
                return rounds - 1
            if not windows:  # a packet lost last leaves no gap to see: sweep the end (again
                # while a command's last report is missing: the last packet of all, lost live)
                edge = self.tracker.edges()[1]
                since = min([edge] + [s.accepted_at or s.sent_at or edge for s in undecided])
                windows = [(since, self.s.now())]
                swept = True
            for start, end in windows:
                line = parse(self.s.dictionary, f"PLAYBACK_TIME start={start} end={end + 1e-3}")
                self.command(line)
        return ROUNDS


def main(argv: list[str] | None = None) -> int:
    """Run the campaign and print its figures; 0 when every target was met."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--loss", type=float, default=0.05)
    parser.add_argument("--ber", type=float, default=1e-5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", metavar="FILE", help="where to record (default: a temp file)")
    args = parser.parse_args(argv)
    log = Path(args.log) if args.log else Path(tempfile.mkdtemp()) / "impaired.tlm"
    started = time.perf_counter()
    c = Campaign(args.hours, args.loss, args.ber, args.seed, log)
    c.drive()
    drove = c.s.elapsed()
    rounds = c.recover()
    c.s.run_for(30)
    c.s.close()
    wall = time.perf_counter() - started
    ok = report(c, log, drove, rounds, wall)
    return 0 if ok else 1


def report(c: Campaign, log: Path, drove: float, rounds: int, wall: float) -> bool:
    """Print the figures; whether every target was met."""
    relay = c.s.relay
    assert relay is not None
    print(f"link impairment: {drove / 3600:.2f} simulated hours of driving in {wall:.0f} s")
    print(f"  uplink: {relay.model.uplink.summary()}")
    print(f"  downlink: {relay.model.downlink.summary()}")
    print(f"  ground discarded: {dict(relay.discarded)}")
    made = c.s.flight.outbox.made  # counted on board (fewer than 16384 each: no wrap)
    hk_sent = sum(made(a) for a in HOUSEKEEPING)
    missing_hk = sum(made(a) - c.heard[a] for a in HOUSEKEEPING)
    for a in HOUSEKEEPING:
        if made(a) != c.heard[a]:
            print(f"    {a.name}: {made(a)} made, {c.heard[a]} on the ground")
    rep = summary(load(log))
    fwd = c.s.flight.forward
    print(f"  on board: {fwd.live} packets sent live, {fwd.played} played back from the store")
    print(f"  housekeeping: {hk_sent} made on board, {missing_hk} of them missing on the ground "
          f"after {rounds} playback rounds")  # fmt: skip
    print(f"  rover replay on the archive: {rep.missing} missing by sequence count, "
          f"{sum(rep.telemetry.values())} telemetry packets")  # fmt: skip
    outcomes = Counter(s.final or "NO REPORT" for s in c.commands)
    twice = sum(1 for n in c.executed.values() if n > 1)
    executed = sum(c.executed.values())
    print(f"  commands: {len(c.commands)} sent ({c.retransmissions} copies resent), outcomes "
          f"{dict(outcomes)}; executed on board {executed}, twice {twice}")  # fmt: skip
    for s in c.commands:
        if s.final is None:
            print(f"    undecided: [{s.seq}] {s.text}: stages {s.stages}, {s.copies} copies")
        elif s.final == "REJECTED":
            print(f"    rejected: [{s.seq}] {s.text}: {s.reason}")
    refused = Counter(e.shown()["reason"] for e in c.s.state.events if e.name == "UPLINK_REFUSED")
    print(f"  uplink refusals (copies that had arrived): {dict(refused)}")
    ok = missing_hk == 0 and rep.missing == 0 and twice == 0 and "NO REPORT" not in outcomes
    print(
        f"  targets (zero gaps, nothing twice, every command decided): {'met' if ok else 'MISSED'}"
    )
    return ok


if __name__ == "__main__":
    sys.exit(main())
