"""The stored-sequence image and its load checks (pure): each mistake is named with its reason and
the step at fault, and boundaries (exactly now, equal times, the largest image) hold."""

import pytest

from fsw.packets.catalog import Catalog
from fsw.packets.crc import append_crc
from fsw.packets.reasons import PacketError, Reason
from fsw.packets.secure import KEY_SIZE, seal
from fsw.sequences import MAX_IMAGE, LoadError, Step, Timing, check, crc32, encode, split
from fsw.tables import CATALOG
from fsw.tables.enums import NO_ARGUMENT

NOW = 100_000.0


def drive(seq: int = 0, speed: float = 0.04, check_args: bool = True) -> bytes:
    args = {"distance": 1.0, "radius": 0.0, "speed": speed}
    return CATALOG.encode_command("DRIVE", args, seq, check=check_args)


def noop(seq: int = 0) -> bytes:
    return CATALOG.encode_command("NOOP", {}, seq)


def load_error(image: bytes, crc: int | None = None, now: float = NOW) -> LoadError:
    with pytest.raises(LoadError) as caught:
        check(CATALOG, image, crc32(image) if crc is None else crc, now)
    return caught.value


def test_an_image_round_trips_and_costs_five_bytes_a_step():
    steps = (Step(Timing.AFTER, 0, drive(1)), Step(Timing.AT, 100_200, noop(2)))
    image = encode(steps)
    assert len(image) == 2 * 5 + len(drive()) + len(noop())
    assert split(image) == steps
    assert check(CATALOG, image, crc32(image), NOW) == steps
    assert steps[0].command == 0x011 << 8 | 0x00  # DRIVE: APID 0x011, code 0


def test_a_crc_off_by_one_bit_is_refused_before_anything_else():
    image = encode([Step(Timing.AFTER, 0, drive())])
    err = load_error(image, crc32(image) ^ 1)
    assert (err.reason, err.step) == (Reason.SEQUENCE_CRC, 0)
    assert f"0x{crc32(image):08X}" in err.message


def test_an_empty_image_and_a_step_cut_short_are_malformed():
    assert load_error(b"").reason == Reason.BAD_SEQUENCE
    image = encode([Step(Timing.AFTER, 0, noop()), Step(Timing.AFTER, 0, drive())])
    err = load_error(image[:-1])
    assert (err.reason, err.step) == (Reason.BAD_SEQUENCE, 2)
    assert "step 2" in err.message


def test_a_timing_that_is_neither_after_nor_at_is_malformed():
    image = bytearray(encode([Step(Timing.AFTER, 0, noop())]))
    image[0] = 7
    err = load_error(bytes(image))
    assert (err.reason, err.step) == (Reason.BAD_SEQUENCE, 1)


def test_a_step_out_of_range_is_refused_naming_the_step_and_the_argument():
    too_fast = drive(speed=0.5, check_args=False)
    image = encode([Step(Timing.AFTER, 0, noop()), Step(Timing.AFTER, 0, too_fast)])
    err = load_error(image)
    assert (err.reason, err.step, err.detail, err.arg_index) == (
        Reason.BAD_STEP,
        2,
        Reason.OUT_OF_RANGE,
        2,  # speed
    )
    assert "step 2: DRIVE speed" in err.message


def test_a_step_that_is_not_a_good_command_is_refused_with_its_own_reason():
    broken = bytearray(noop())
    broken[-1] ^= 0xFF  # its CRC
    err = load_error(encode([Step(Timing.AFTER, 0, bytes(broken))]))
    assert (err.reason, err.step, err.detail) == (Reason.BAD_STEP, 1, Reason.BAD_CRC)
    unknown = append_crc(bytes(noop()[:6]) + b"\x7f")  # NOOP's APID, no code 0x7F
    err = load_error(encode([Step(Timing.AFTER, 0, unknown)]))
    assert (err.detail, err.arg_index) == (Reason.UNKNOWN_CODE, NO_ARGUMENT)


def test_absolute_times_in_the_past_or_out_of_order_are_refused_exactly_now_is_not():
    at = lambda t: Step(Timing.AT, t, noop())  # noqa: E731
    assert check(CATALOG, encode([at(100_000)]), crc32(encode([at(100_000)])), NOW)
    err = load_error(encode([at(99_999)]))
    assert (err.reason, err.step) == (Reason.TIME_IN_PAST, 1)
    same = encode([at(100_010), at(100_010)])  # equal times: one after the other
    assert len(check(CATALOG, same, crc32(same), NOW)) == 2
    err = load_error(encode([at(100_010), Step(Timing.AFTER, 0, noop()), at(100_009)]))
    assert (err.reason, err.step) == (Reason.TIME_ORDER, 3)


def test_the_largest_image_fits_a_seq_load_one_byte_more_does_not():
    pad = noop()
    steps, size = [], 0
    while size + 5 + len(pad) <= MAX_IMAGE:
        steps.append(Step(Timing.AFTER, 0, pad))
        size += 5 + len(pad)
    image = encode(steps)
    image += b"\x00" * (MAX_IMAGE - len(image))  # exactly the maximum (a malformed tail)
    packet = CATALOG.encode_command("SEQ_LOAD", {"slot": 1, "image_crc": 0}, 0, data=image)
    assert CATALOG.decode(packet).values["image"] == image
    with pytest.raises(PacketError) as caught:
        CATALOG.encode_command("SEQ_LOAD", {"slot": 1, "image_crc": 0}, 0, data=image + b"\x00")
    assert caught.value.reason == Reason.OVERSIZE


def test_a_catalog_without_the_command_refuses_its_steps():
    bare = Catalog([], [], [], event_apid=0x102)
    err = load_error_with(bare, encode([Step(Timing.AFTER, 0, noop())]))
    assert (err.reason, err.detail) == (Reason.BAD_STEP, Reason.UNKNOWN_APID)


def load_error_with(catalog: Catalog, image: bytes) -> LoadError:
    with pytest.raises(LoadError) as caught:
        check(catalog, image, crc32(image), NOW)
    return caught.value


def test_the_largest_load_still_fits_the_uplink_once_sealed():
    image = bytes(MAX_IMAGE)
    packet = CATALOG.encode_command("SEQ_LOAD", {"slot": 1, "image_crc": 0}, 0, data=image)
    sealed = seal(packet, bytes(KEY_SIZE), spi=1, sn=1)
    assert len(sealed) <= CATALOG.max_packet_size
