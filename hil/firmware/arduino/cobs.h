// Consistent Overhead Byte Stuffing for messages shorter than 254 bytes (one block at most),
// as the `cobs` Python package encodes and decodes them.
#pragma once
#include <stdint.h>

// Encodes `len` bytes (< 254) of `in` into `out`, which takes len + 1 bytes; returns len + 1.
uint8_t cobs_encode(const uint8_t *in, uint8_t len, uint8_t *out);

// Decodes `len` bytes of `buf` in place (no 0x00 in them); returns the decoded length, or -1
// when a code byte points past the end (a broken frame).
int16_t cobs_decode(uint8_t *buf, uint8_t len);
