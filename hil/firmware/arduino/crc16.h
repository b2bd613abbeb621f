// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, MSB first, no final XOR), as the board protocol
// and fsw.packets.crc compute it. avr-libc's _crc_xmodem_update is this polynomial, unreflected;
// its _crc_ccitt_update is the reflected (KERMIT) variant and would be wrong here. Started from
// 0xFFFF it gives 0x29B1 for "123456789", and 0 over a whole message with its CRC appended.
#pragma once
#include <stdint.h>
#include <util/crc16.h>

static const uint16_t CRC16_INIT = 0xFFFF;

static inline uint16_t crc16(const uint8_t *data, uint8_t len) {
  uint16_t crc = CRC16_INIT;
  while (len--) crc = _crc_xmodem_update(crc, *data++);
  return crc;
}
