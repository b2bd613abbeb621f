// The framing of the board protocol on the serial line: 0x00, COBS(type, payload, CRC), 0x00.
// Receiving: bytes in, one whole frame out at each delimiter. Sending: a message is built in
// place (payload()), then framed and queued in the serial transmit buffer without blocking.
#pragma once
#include <stdint.h>

#include "board_protocol.h"

namespace link {

enum Event : uint8_t {
  NOTHING,   // the byte was part of a frame (or a delimiter ending an empty one)
  FRAME,     // a frame ended: frame() and frame_length() hold its COBS-encoded bytes
  OVERLONG,  // a frame longer than any message ended (it was dropped)
};

// Feeds one received byte.
Event feed(uint8_t byte);

// The COBS-encoded bytes of the frame that FRAME announced (decoded in place by the caller).
uint8_t *frame();
uint8_t frame_length();

// The payload of the next message to send; fill it, then send() it.
uint8_t *payload();

// Bytes one frame of a message with `payload_size` payload bytes takes on the wire.
constexpr uint8_t frame_size(uint8_t payload_size) {
  return 1 + (1 + payload_size + CRC_SIZE + 1) + 1;  // 0x00, COBS (one code byte more), 0x00
}

// Frames the message of `type` whose payload() holds `size` bytes and queues it for sending.
// The caller has made sure the transmit buffer has room for frame_size(size) bytes.
void send(uint8_t type, uint8_t size);

// Bytes that can be queued for sending right now without waiting.
uint8_t tx_room();

}  // namespace link
