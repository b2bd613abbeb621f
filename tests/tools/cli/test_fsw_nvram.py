"""`rover fsw` and its non-volatile memory, live: a memory that cannot be written (a file-size
limit, as a full disk) refuses the command and the flight software runs on; a lost anti-replay
counter is said at boot and refuses every command until SA_SET_ARSN re-establishes it."""

import resource
import time

from tests.hil.support import Ground
from tests.tools.cli.test_fsw_link import LISTENING
from tests.tools.cli.test_fsw_link import Fsw as LinkFsw
from tools.ground.signer import Signer, default_key_path, read_key


def no_file_growth() -> None:  # in the child: every write past its first byte fails (EFBIG)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))


class Fsw(LinkFsw):
    """`rover fsw` on a free TCP port, perhaps limited to files of one byte, with a ground."""

    def __init__(self, *args: str, limited: bool = False) -> None:
        super().__init__(
            "--listen", "127.0.0.1:0", *args, preexec=no_file_growth if limited else None
        )

    def ground(self) -> Ground:
        port = int(self.wait_for(LISTENING).group(1))
        ground = Ground.tcp(("127.0.0.1", port))
        ground.signer = Signer(read_key(default_key_path()), lambda: time.time_ns() // 1000)
        return ground


def reasons(ground: Ground, seq: int) -> list[tuple[str, str]]:
    ground.stages(seq)
    return [
        (v["stage"], v["reason"])
        for p in ground.heard
        if p.name == "CMD_VERIFY" and (v := p.shown())["cmd_seq"] == seq
    ]


def test_a_memory_that_cannot_be_written_refuses_the_command_and_the_rover_runs_on(tmp_path):
    fsw = Fsw("--nvram", str(tmp_path / "nv"), "--speed", "20", "--duration", "60", limited=True)
    ground = fsw.ground()
    ground.send("NOOP", 1)  # the case: this ended `rover fsw` (No space left on device)
    assert reasons(ground, 1) == [("REJECTED", "NVRAM_FAILED")]
    ground.send("PING", 2, token=2)
    assert reasons(ground, 2) == [("REJECTED", "NVRAM_FAILED")]
    sec = ground.until(lambda p: p.name == "SECURITY" and p.values["nvram_failed"] == 2)
    assert sec.values["nvram_errno"] == 27  # EFBIG
    hk = ground.until(lambda p: p.name == "HK").values
    assert (hk["mode"], hk["cmd_rejected"]) == (1, 2)  # STANDBY: up, commandable, nothing ran
    code, err = fsw.finish()
    ground.close()
    assert (code, err) == (0, "")
    out = "\n".join(fsw.lines)
    assert out.count("Non-volatile memory write failed (errno 27)") == 1
    assert "NOOP received" not in out and "PING reply" not in out


def test_a_lost_counter_refuses_commands_until_sa_set_arsn(tmp_path):
    (tmp_path / "nv").mkdir()  # memory that was written once (the downlink's lease), its
    (tmp_path / "nv" / "downlink-sn-1").write_text("5\n")  # anti-replay counter gone
    fsw = Fsw("--nvram", str(tmp_path / "nv"), "--speed", "20", "--duration", "60")
    ground = fsw.ground()
    fsw.wait_for(r"anti-replay counter LOST \(.*uplink-sn-1 is missing\): every command is refused")
    ground.send("PING", 1, token=1)
    assert reasons(ground, 1) == [("REJECTED", "ARSN_UNKNOWN")]
    challenge = ground.until(lambda p: p.name == "SECURITY").values["challenge"]
    assert ground.signer is not None
    arsn = ground.signer.propose_arsn()  # the ground clock: above every number signed before
    ground.send("SA_SET_ARSN", 2, arsn=arsn, challenge=challenge)
    assert reasons(ground, 2)[-1] == ("COMPLETED", "OK")
    ground.send("PING", 3, token=3)
    assert reasons(ground, 3)[-1] == ("COMPLETED", "OK")
    code, err = fsw.finish()
    ground.close()
    assert (code, err) == (0, "")
    assert "Anti-replay counter lost" in "\n".join(fsw.lines)  # the boot event, printed
    assert int((tmp_path / "nv" / "uplink-sn-1").read_text()) > arsn  # kept, with the PING's


def test_a_new_memory_that_heard_no_command_is_not_lost_at_the_next_boot(tmp_path):
    """The first boot writes the downlink's lease (the directory appears) before any command
    came: the counter is kept as 0 with it, so the next boot does not read it as lost."""
    first = Fsw("--nvram", str(tmp_path / "nv"), "--speed", "20", "--duration", "2")
    first.wait_for(r"new non-volatile memory at .*: anti-replay counter starts at 0")
    assert first.finish() == (0, "")
    assert (tmp_path / "nv" / "downlink-sn-1").exists()
    again = Fsw("--nvram", str(tmp_path / "nv"), "--speed", "20", "--duration", "60")
    ground = again.ground()
    ground.send("PING", 1, token=1)
    assert reasons(ground, 1)[-1] == ("COMPLETED", "OK")
    ground.close()
    again.proc.terminate()
    assert again.finish() == (0, "")
    assert not any("LOST" in line for line in again.lines)


def test_counters_too_big_for_their_64_bits_are_said_and_the_rover_runs_on(tmp_path):
    """A damaged memory holding numbers no counter can hold: the uplink's is lost (commands
    refused until SA_SET_ARSN), the downlink's lease numbers from mission time; before, the
    first sealed packet ended `rover fsw` (a sequence number outside 1..2**64-1)."""
    nv = tmp_path / "nv"
    nv.mkdir()
    (nv / "uplink-sn-1").write_text(f"{2**64 + 5}\n")
    (nv / "downlink-sn-1").write_text(f"{2**64 - 1}\n")
    fsw = Fsw("--nvram", str(nv), "--speed", "20", "--duration", "60")
    ground = fsw.ground()
    fsw.wait_for(r"anti-replay counter LOST \(.*uplink-sn-1: holds 18446744073709551621")
    fsw.wait_for(r"downlink sequence-number lease unreadable \(.*beyond any mission time\)")
    ground.send("PING", 1, token=1)
    assert reasons(ground, 1) == [("REJECTED", "ARSN_UNKNOWN")]
    ground.close()
    fsw.proc.terminate()
    assert fsw.finish() == (0, "")
