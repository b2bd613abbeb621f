import binascii
import sys

from fsw.packets import crc


def test_check_value_is_crc16_ccitt_false():
    assert crc.crc16(b"123456789") == 0x29B1 == crc.CHECK_VALUE


def test_not_xmodem():
    # the classic bug: init 0 gives XMODEM's 0x31C3
    assert binascii.crc_hqx(b"123456789", 0) == 0x31C3 != crc.crc16(b"123456789")


def test_crc_over_packet_with_its_crc_is_zero():
    packet = crc.append_crc(b"\x18\x10\xc0\x00\x00\x02\x00")
    assert crc.crc16(packet) == 0
    assert crc.crc_ok(packet)
    assert not crc.crc_ok(packet[:-1] + bytes([packet[-1] ^ 1]))


def bitwise_table_entry(byte: int) -> int:
    """CRC-16 poly 0x1021 table entry, bit by bit as the textbooks do it."""
    value = byte << 8
    for _ in range(8):
        value = ((value << 1) ^ 0x1021 if value & 0x8000 else value << 1) & 0xFFFF
    return value


def test_table_is_the_non_reflected_0x1021_table():
    assert list(crc.TABLE) == [bitwise_table_entry(b) for b in range(256)]


def test_extension_check_reads_the_implementation_module(monkeypatch):
    impl = sys.modules["crcmod.crcmod"]
    assert crc.extension_in_use() is bool(impl._usingExtension)
    monkeypatch.setattr(impl, "_usingExtension", False)
    assert crc.extension_in_use() is False


def test_slow_crc_warned_once(monkeypatch):
    monkeypatch.setattr(sys.modules["crcmod.crcmod"], "_usingExtension", False)
    monkeypatch.setattr(crc, "_warned", False)
    said = []
    assert crc.warn_if_slow(said.append) is True
    assert crc.warn_if_slow(said.append) is False
    assert len(said) == 1 and "24-36x slower" in said[0]


def test_no_warning_when_extension_in_use(monkeypatch):
    monkeypatch.setattr(sys.modules["crcmod.crcmod"], "_usingExtension", True)
    monkeypatch.setattr(crc, "_warned", False)
    said = []
    assert crc.warn_if_slow(said.append) is False
    assert said == []
