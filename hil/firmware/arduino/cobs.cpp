#include "cobs.h"

uint8_t cobs_encode(const uint8_t *in, uint8_t len, uint8_t *out) {
  uint8_t code_at = 0, code = 1, o = 1;
  for (uint8_t i = 0; i < len; i++) {
    if (in[i] == 0) {
      out[code_at] = code;
      code_at = o++;
      code = 1;
    } else {
      out[o++] = in[i];
      code++;
    }
  }
  out[code_at] = code;
  return o;
}

int16_t cobs_decode(uint8_t *buf, uint8_t len) {
  uint8_t i = 0, o = 0;
  while (i < len) {
    uint8_t code = buf[i++];
    if (code == 0 || code - 1 > len - i) return -1;
    for (uint8_t k = 1; k < code; k++) buf[o++] = buf[i++];
    if (code < 0xFF && i < len) buf[o++] = 0;
  }
  return o;
}
