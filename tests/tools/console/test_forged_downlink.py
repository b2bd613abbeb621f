"""The issue's attack, live: a relay in the middle (a TCP proxy) between `rover fsw` and
`rover console --script` drops the signed DRIVE and forges its verification reports, plain and
sealed with a key it guessed. The console must not say DRIVE COMPLETED nor exit 0; it says the
telemetry it refused, and the recording holds no forged report."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from fsw.packets import ccsds, secure
from fsw.packets.framing import Deframer, frame
from fsw.packets.reasons import Reason
from fsw.tables import CATALOG
from fsw.tables.enums import Stage
from tests.tools.fswproc import ROOT, FswProcess, child_env, rover_command
from tools.tlmlog import LogReader, RecordType

DRIVE = CATALOG.command("DRIVE")


class ForgingRelay:
    """A TCP proxy that drops every DRIVE going up and sends COMPLETED reports for it down."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.dropped: list[int] = []  # sequence counts of the DRIVEs dropped
        self.forged = 0
        self.last_time = 0.0  # mission time of the last packet seen going down
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                ground, _ = self.listener.accept()
                rover = socket.create_connection(("127.0.0.1", self.upstream))
                self._sockets += [ground, rover]
                lock = threading.Lock()  # down: forwarded and forged frames never interleave
                threading.Thread(target=self._up, args=(ground, rover, lock), daemon=True).start()
                threading.Thread(target=self._down, args=(rover, ground, lock),
                                 daemon=True).start()  # fmt: skip

    def _up(self, ground: socket.socket, rover: socket.socket, lock: threading.Lock) -> None:
        deframer = Deframer()
        with contextlib.suppress(OSError):
            while data := ground.recv(65536):
                for packet in deframer.feed(data).packets:
                    sealed = ccsds.apid_of(packet) == secure.APID
                    command = secure.unseal(packet).command if sealed else packet
                    if ccsds.apid_of(command) == DRIVE.apid and command[6] == DRIVE.code:
                        seq = ccsds.seq_count_of(command)
                        self.dropped.append(seq)
                        with lock:
                            ground.sendall(b"".join(frame(p) for p in self._forgeries(seq)))
                        continue
                    rover.sendall(frame(packet))

    def _down(self, rover: socket.socket, ground: socket.socket, lock: threading.Lock) -> None:
        deframer = Deframer()
        with contextlib.suppress(OSError):
            while data := rover.recv(65536):
                for packet in deframer.feed(data).packets:
                    sealed = secure.is_telemetry_envelope(packet)
                    inner = secure.unseal(packet).command if sealed else packet
                    coarse = int.from_bytes(inner[6:10], "big")
                    self.last_time = max(self.last_time, coarse + inner[10] / 256)
                with lock:
                    ground.sendall(data)

    def _forgeries(self, seq: int) -> list[bytes]:
        """The reports a ground waits for, plain and in an envelope with a made-up key."""
        out = []
        for n, stage in enumerate((Stage.ACCEPTED, Stage.STARTED, Stage.COMPLETED)):
            values = {"stage": stage, "cmd_apid": DRIVE.apid, "cmd_code": DRIVE.code,
                      "cmd_seq": seq, "reason": Reason.OK, "arg_index": 0,
                      "cmd_sn": 0}  # fmt: skip
            report = CATALOG.encode_telemetry("CMD_VERIFY", values, 9000 + n, self.last_time)
            out.append(report)
            out.append(secure.seal(report, os.urandom(32), 1, 2**62 + n, telemetry=True))
        self.forged += len(out)
        return out

    def close(self) -> None:
        self.listener.close()
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.close()


@pytest.fixture
def relayed():
    with FswProcess.start(speed=20) as fsw:
        relay = ForgingRelay(fsw.port or 0)
        try:
            yield fsw, relay
        finally:
            relay.close()


def test_a_forged_drive_completion_is_refused_said_and_fails_the_script(relayed, tmp_path: Path):
    fsw, relay = relayed
    script = tmp_path / "drive.txt"
    script.write_text("PING token=7\nDRIVE distance=0.3 radius=0 speed=0.0447 timeout 4\n")
    log = tmp_path / "drive.tlm"
    args = ["console", "--link", f"socket://127.0.0.1:{relay.port}", "--script", str(script),
            "--record", str(log), "--state-dir", str(tmp_path / "state"),
            "--connect-timeout", "10"]  # fmt: skip
    result = subprocess.run(rover_command(*args), cwd=ROOT, env=child_env(),
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=60, check=False)  # fmt: skip
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    assert relay.dropped and relay.forged == 6, out  # the attack happened
    assert re.search(r"\] PING token=7\b.*COMPLETED|\] PING COMPLETED", out), out  # link works
    assert not re.search(r"DRIVE[^\n]*COMPLETED", out), out
    assert result.returncode == 1, out
    assert "downlink verified with key SPI" in out
    assert "telemetry refused (unauthenticated): a plain packet (APID 0x101)" in out, out
    assert "telemetry refused (forged): the MAC does not match (APID 0x101)" in out, out
    # the recording holds the real reports only: none for the dropped DRIVE
    drive_reports = [
        CATALOG.decode(r.packet).shown()["stage"]
        for r in LogReader(log)
        if r.type is RecordType.DOWNLINK
        and ccsds.apid_of(r.packet) == 0x101
        and CATALOG.decode(r.packet).values["cmd_seq"] == relay.dropped[0]
    ]
    assert drive_reports == []
    assert " Drive " not in fsw.output()  # and the rover never drove
    commands_log = (tmp_path / "state" / "commands.log").read_text()
    assert "DRIVE" not in commands_log or "COMPLETED" not in commands_log.split("DRIVE", 1)[1]


class ReplayingRelay:
    """A TCP proxy that records every downlink frame of the first ground's session; to a later
    ground it forwards nothing down, drops its RESET_COUNTERS and plays the recording instead
    (the reviewer's replay: the recorded reports are genuine, sealed by the rover)."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.recorded: list[bytes] = []
        self.replaying = False
        self.replayed = 0
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                ground, _ = self.listener.accept()
                rover = socket.create_connection(("127.0.0.1", self.upstream))
                self._sockets += [ground, rover]
                replaying = self.replaying
                threading.Thread(target=self._up, args=(ground, rover, replaying),
                                 daemon=True).start()  # fmt: skip
                threading.Thread(target=self._down, args=(rover, ground, replaying),
                                 daemon=True).start()  # fmt: skip

    def _up(self, ground: socket.socket, rover: socket.socket, replaying: bool) -> None:
        deframer = Deframer()
        reset = CATALOG.command("RESET_COUNTERS")
        with contextlib.suppress(OSError):
            while data := ground.recv(65536):
                for packet in deframer.feed(data).packets:
                    sealed = ccsds.apid_of(packet) == secure.APID
                    command = secure.unseal(packet).command if sealed else packet
                    ours = ccsds.apid_of(command) == reset.apid and command[6] == reset.code
                    if replaying and ours:
                        self.replayed = len(self.recorded)
                        ground.sendall(b"".join(self.recorded))
                        continue
                    rover.sendall(frame(packet))

    def _down(self, rover: socket.socket, ground: socket.socket, replaying: bool) -> None:
        deframer = Deframer()
        with contextlib.suppress(OSError):
            while data := rover.recv(65536):
                if replaying:
                    continue  # the fresh ground hears only the recording
                self.recorded += [frame(p) for p in deframer.feed(data).packets]
                ground.sendall(data)

    def close(self) -> None:
        self.listener.close()
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.close()


def _console(port: int, script: Path, state: Path) -> subprocess.CompletedProcess[str]:
    args = ["console", "--link", f"socket://127.0.0.1:{port}", "--script", str(script),
            "--state-dir", str(state), "--connect-timeout", "10"]  # fmt: skip
    return subprocess.run(rover_command(*args), cwd=ROOT, env=child_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip


def test_a_fresh_console_does_not_believe_an_older_sessions_reports_replayed(tmp_path: Path):
    """Both consoles number their RESET_COUNTERS 0; the second's never reaches the rover, and
    the first's genuine sealed reports, replayed, must not pass as the second's."""
    script = tmp_path / "reset.txt"
    script.write_text("RESET_COUNTERS timeout 3\n")
    with FswProcess.start(speed=20) as fsw:
        relay = ReplayingRelay(fsw.port or 0)
        try:
            first = _console(relay.port, script, tmp_path / "first")
            out = first.stdout + first.stderr
            assert first.returncode == 0 and "RESET_COUNTERS COMPLETED" in out, out
            relay.replaying = True
            second = _console(relay.port, script, tmp_path / "second")
        finally:
            relay.close()
    out = second.stdout + second.stderr
    assert "Traceback" not in out, out
    assert relay.replayed > 0, out  # the attack happened
    assert not re.search(r"RESET_COUNTERS[^\n]*COMPLETED", out), out
    assert second.returncode == 1, out
