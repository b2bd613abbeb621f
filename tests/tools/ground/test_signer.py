"""The ground's half of authentication: key files and sealing with fresh sequence numbers."""

import pytest

from fsw.packets import secure
from tools.ground.cmdline import parse
from tools.ground.inprocess import InProcessSession
from tools.ground.signer import Signer, default_key_path, new_key, read_key, write_key


def test_a_key_file_is_written_for_its_owner_only_and_read_back(tmp_path):
    path = tmp_path / "sub" / "uplink.key"
    key = new_key(spi=9)
    write_key(path, key)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_key(path) == key
    with pytest.raises(ValueError, match="exists: keep it, or replace it with --force"):
        write_key(path, new_key())
    write_key(path, other := new_key(), force=True)
    assert read_key(path) == other


def test_reading_a_missing_or_readable_by_others_key_says_what_to_do(tmp_path):
    path = tmp_path / "uplink.key"
    with pytest.raises(ValueError, match=r"no uplink key at .*: make one with `rover keygen"):
        read_key(path)
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ValueError, match=r"uplink.key: not a key file \(not text\)"):
        read_key(path)
    write_key(path, new_key(), force=True)
    path.chmod(0o644)
    with pytest.raises(ValueError, match="others may read this key; `chmod 600"):
        read_key(path)


def test_the_default_key_path_follows_rover_key_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("ROVER_KEY", str(tmp_path / "k"))
    assert default_key_path() == tmp_path / "k"
    monkeypatch.delenv("ROVER_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_key_path() == tmp_path / "rover" / "uplink.key"


def test_each_sealed_command_carries_the_clock_or_the_next_number_if_higher():
    key = new_key()
    now = [1_700_000_000_000_000]
    signer = Signer(key, lambda: now[0])
    first = secure.unseal(signer.seal(b"\x18\x10\xc0\x00\x00\x00\x00\x00\x00"))
    second = secure.unseal(signer.seal(b"\x18\x10\xc0\x01\x00\x00\x00\x00\x00"))
    now[0] += 5_000
    third = secure.unseal(signer.seal(b"\x18\x10\xc0\x02\x00\x00\x00\x00\x00"))
    assert (first.sn, second.sn) == (1_700_000_000_000_000, 1_700_000_000_000_001)
    assert third.sn == 1_700_000_000_005_000
    assert secure.authentic(first, key.secret) and first.spi == key.spi


def test_a_second_session_numbers_above_the_first_so_the_rover_takes_both():
    s = InProcessSession()
    ping = parse(s.dictionary, "PING 1")
    assert s.await_final(s.send(ping), 5) == "COMPLETED"
    assert s.signer is not None
    s.run_for(1)
    # a console started again later
    s.signer = Signer(s.signer.key, lambda: s.ground_time_ns() // 1000)
    assert s.await_final(s.send(ping), 5) == "COMPLETED"
    stale = Signer(s.signer.key, lambda: 1)  # one that numbers from 1: all below the window
    s.signer = stale
    late = s.send(ping)
    assert s.await_final(late, 5) == "REJECTED" and late.reason == "REPLAYED"


def test_an_unsigned_session_is_refused_by_an_authenticated_rover():
    s = InProcessSession()
    s.signer = None
    sent = s.send(parse(s.dictionary, "PING 1"))
    assert s.await_final(sent, 5) == "REJECTED" and sent.reason == "UNAUTHENTICATED"
    event = s.await_event("UPLINK_REFUSED", 1)
    assert event is not None and event.shown()["reason"] == "UNAUTHENTICATED"


def test_a_retransmitted_command_runs_once_and_its_refused_copy_is_not_its_fate():
    s = InProcessSession()
    sent = s.send(parse(s.dictionary, "PING 5"))
    s.retransmit(sent)  # its fate unknown to the ground: the very bytes again
    s.run_for(1)
    assert [e.values["token"] for e in s.state.events if e.name == "PING_REPLY"] == [5]
    refused = s.await_event("UPLINK_REFUSED", 1)
    assert refused is not None and refused.shown()["reason"] == "REPLAYED"
    assert sent.final == "COMPLETED" and sent.copies == 2


def test_two_consoles_sending_side_by_side_are_both_obeyed():
    s = InProcessSession()
    assert s.signer is not None
    first = s.signer
    second = Signer(first.key, lambda: s.ground_time_ns() // 1000)  # started a second later
    ping = parse(s.dictionary, "PING 1")
    for signer in (first, second, first, second):
        s.run_for(1)
        s.signer = signer
        assert s.await_final(s.send(ping), 5) == "COMPLETED"


def test_a_proposed_arsn_is_below_every_later_number_even_in_the_same_microsecond():
    now = [1_700_000_000_000_000]
    signer = Signer(new_key(), lambda: now[0])
    arsn = signer.propose_arsn()
    after = secure.unseal(signer.seal(b"\x18\x10\xc0\x00\x00\x00\x00\x00\x00"))  # clock unmoved
    assert arsn == now[0] and after.sn == arsn + 1
