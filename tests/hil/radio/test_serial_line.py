"""The serial radio hands the flight software bounded chunks, however much the device holds."""

import threading

from hil.radio import SerialRadio, serial_line
from tests.hil.support import eventually


def test_a_full_device_buffer_is_read_in_bounded_chunks_and_nothing_is_lost(monkeypatch):
    monkeypatch.setattr(serial_line, "READ_SIZE", 1000)
    chunks: list[bytes] = []
    lock = threading.Lock()

    def receive(data: bytes) -> None:
        with lock:
            chunks.append(data)

    radio = SerialRadio("loop://", 115200, receive, say=lambda _: None)
    radio.start()
    try:
        eventually(lambda: radio.connected)
        for _ in range(20):  # loop:// hands back what the writer wrote: 10,000 bytes at once
            radio.send_frame(b"\x01" * 500)
        eventually(lambda: sum(map(len, chunks)) == 10_000)
        assert max(map(len, chunks)) <= 1000
        assert radio.counters.received == 10_000
    finally:
        radio.close()
