// Big-endian field access for the board protocol's payloads (every field is big-endian).
// Offsets and widths come from the generated board_protocol.h; the static_asserts in board.cpp
// check that each field is as wide as the accessor that reads it.
#pragma once
#include <stdint.h>

static inline uint16_t get_u16(const uint8_t *p) { return (uint16_t)((uint16_t)p[0] << 8 | p[1]); }
static inline int16_t get_i16(const uint8_t *p) { return (int16_t)get_u16(p); }

static inline void put_u16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static inline void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
