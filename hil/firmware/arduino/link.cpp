#include "link.h"

#include <Arduino.h>

#include "cobs.h"
#include "crc16.h"

namespace link {
namespace {

uint8_t rx[MAX_FRAME];  // COBS bytes of the frame being received
uint8_t rx_len = 0;     // bytes of it so far
uint8_t frame_len = 0;  // bytes of the frame FRAME announced
bool rx_overlong = false;

uint8_t message[MAX_MESSAGE];                        // type, payload, CRC of the next message out
uint8_t out[link::frame_size(MAX_MESSAGE - 1 - CRC_SIZE)];  // its frame

static_assert(MAX_MESSAGE < 254, "one COBS block per message");

}  // namespace

Event feed(uint8_t byte) {
  if (byte == 0) {  // the caller handles a FRAME before it feeds the next byte over it
    Event event = rx_overlong ? OVERLONG : (rx_len ? FRAME : NOTHING);
    frame_len = rx_len;
    rx_len = 0;
    rx_overlong = false;
    return event;
  }
  if (rx_overlong) return NOTHING;
  if (rx_len == MAX_FRAME) {
    rx_overlong = true;
    rx_len = 0;
    return NOTHING;
  }
  rx[rx_len++] = byte;
  return NOTHING;
}

uint8_t *frame() { return rx; }
uint8_t frame_length() { return frame_len; }

uint8_t *payload() { return message + 1; }

void send(uint8_t type, uint8_t size) {
  message[0] = type;
  uint8_t body = 1 + size;
  uint16_t crc = crc16(message, body);
  message[body] = (uint8_t)(crc >> 8);
  message[body + 1] = (uint8_t)crc;
  out[0] = 0;
  uint8_t n = 1 + cobs_encode(message, body + CRC_SIZE, out + 1);
  out[n++] = 0;
  Serial.write(out, n);
}

uint8_t tx_room() {
  int room = Serial.availableForWrite();
  return room > 255 ? 255 : (uint8_t)room;
}

}  // namespace link
