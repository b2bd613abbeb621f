"""The rows the packet-layer issue asks for are there, and the tables keep their own rules."""

from fsw.packets.reasons import Reason
from fsw.tables import CATALOG
from fsw.tables.enums import Apid, Mode, Stage


def test_the_core_commands_exist():
    assert {c.name for c in CATALOG.commands} >= {"NOOP", "PING", "RESET_COUNTERS"}
    assert [a.name for a in CATALOG.command("PING").args] == ["token"]


def test_every_row_says_what_it_is_for():
    for row in (*CATALOG.commands, *CATALOG.telemetry):
        assert len(row.description) > 20, row.name
    for ev in CATALOG.events:
        assert ev.format and ev.description, ev.name
    for row in CATALOG.telemetry:
        for f in row.fields:
            assert f.description, (row.name, f.name)


def test_apids_follow_the_allocation():
    for c in CATALOG.commands:
        assert 0x010 <= c.apid <= 0x0FF, c.name
    for t in CATALOG.telemetry:
        assert 0x100 <= t.apid <= 0x1FF, t.name
    assert CATALOG.event_apid == Apid.TLM_EVENT


def test_verification_report_names_the_command_and_the_stage():
    names = [f.name for f in CATALOG.telemetry_packet("CMD_VERIFY").fields]
    assert names == ["stage", "cmd_apid", "cmd_code", "cmd_seq", "reason", "arg_index", "cmd_sn"]
    fields = {f.name: f for f in CATALOG.telemetry_packet("CMD_VERIFY").fields}
    assert fields["stage"].enum is Stage and fields["reason"].enum is Reason
    assert {s.name for s in Stage} >= {"ACCEPTED", "REJECTED", "STARTED", "COMPLETED", "FAILED"}


def test_housekeeping_is_a_realistic_size_and_carries_the_counters():
    hk = CATALOG.telemetry_packet("HK")
    assert 80 <= CATALOG.layout(hk).size <= 110  # cFS's ES housekeeping is larger still
    names = {f.name for f in hk.fields}
    assert {"mode", "cmd_accepted", "cmd_rejected", "uplink_bad_crc"} <= names
    assert {"cycle_late_max", "uplink_dropped_bytes", "uplink_deferred"} <= names
    assert next(f for f in hk.fields if f.name == "mode").enum is Mode


def test_events_answer_the_core_commands_and_report_refusals():
    assert {"NOOP", "PING_REPLY", "COUNTERS_RESET", "CMD_REJECTED", "CMD_FAILED"} <= {
        e.name for e in CATALOG.events
    }
    assert CATALOG.event("PING_REPLY").render({"token": 9}) == "PING reply, token 9"
