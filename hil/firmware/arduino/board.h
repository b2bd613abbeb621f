// The board's side of the board protocol (docs/board-protocol.md, "How a board behaves"): boot
// INFO, greeting, rejects with reasons, setpoints with the dead-man stop, heartbeats, streaming
// and fault injection, around the motors of motors.h. hil/board/endpoint.py is the reference.
#pragma once
#include <stdint.h>

#include "board_protocol.h"
#include "link.h"

namespace board {

// Transmit room every received frame may need for its answers (the largest: one STATUS, or a
// REJECT and an INFO). The main loop only feeds bytes while there is this much room, so an
// answer never waits for the transmit buffer.
constexpr uint8_t max2(uint8_t a, uint8_t b) { return a > b ? a : b; }
constexpr uint8_t REPLY_ROOM =
    max2(STATUS_FRAME_SIZE, max2(REJECT_FRAME_SIZE + INFO_FRAME_SIZE, REJECT_FRAME_SIZE));

// Boot: everything at rest, not greeted; sends the INFO a board sends unasked.
void begin(uint32_t now_ms);

// One received byte at `now_ms` (millis()); answers what a completed frame asks for.
void receive(uint8_t byte, uint32_t now_ms);

// Time passes: the motors and the dead-man advance to `now_ms`; a streamed STATUS goes out when
// one is due and a whole frame fits in the transmit buffer.
void poll(uint32_t now_ms);

}  // namespace board
