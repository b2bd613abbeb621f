#include "board.h"

#include "cobs.h"
#include "crc16.h"
#include "motors.h"
#include "wire.h"

// The accessors in wire.h must match the generated layout.
static_assert(SETPOINT_SEQ_WIDTH == 2 && !SETPOINT_SEQ_SIGNED, "SETPOINT.seq is u16");
static_assert(SETPOINT_FLAGS_WIDTH == 1, "SETPOINT.flags is u8");
static_assert(SETPOINT_DRIVE_WIDTH == 2 && SETPOINT_DRIVE_SIGNED, "SETPOINT.drive is i16[]");
static_assert(SETPOINT_STEER_WIDTH == 2 && SETPOINT_STEER_SIGNED, "SETPOINT.steer is i16[]");
static_assert(SETPOINT_DRIVE_COUNT == WHEELS && SETPOINT_STEER_COUNT == CORNERS, "one per motor");
static_assert(HELLO_PROTOCOL_WIDTH == 1 && STREAM_PERIOD_MS_WIDTH == 2, "HELLO u8, STREAM u16");
static_assert(INJECT_FAULT_WIDTH == 1 && INJECT_WHEEL_WIDTH == 1, "INJECT is two u8");
static_assert(STATUS_ANSWERS_WIDTH == 2 && STATUS_UPTIME_MS_WIDTH == 4, "STATUS u16, u32");
static_assert(STATUS_FLAGS_WIDTH == 1 && STATUS_STALLED_WIDTH == 1, "STATUS u8 masks");
static_assert(STATUS_OPEN_CIRCUIT_WIDTH == 1 && STATUS_ENCODER_LOST_WIDTH == 1, "u8 masks");
static_assert(STATUS_RX_ERRORS_WIDTH == 2 && STATUS_ENCODERS_WIDTH == 4, "STATUS u16, i32[]");
static_assert(STATUS_CURRENTS_WIDTH == 2 && STATUS_STEER_WIDTH == 2, "STATUS u16[], i16[]");
static_assert(STATUS_ENCODERS_COUNT == WHEELS && STATUS_CURRENTS_COUNT == WHEELS, "per wheel");
static_assert(STATUS_STEER_COUNT == CORNERS, "per corner");
static_assert(INFO_COUNTS_PER_REV_WIDTH == 2 && INFO_DEADMAN_MS_WIDTH == 2, "INFO u16");
static_assert(INFO_MAX_DRIVE_WIDTH == 2 && INFO_MAX_STEER_WIDTH == 2, "INFO u16");
static_assert(REJECT_TYPE_WIDTH == 1 && REJECT_REASON_WIDTH == 1, "REJECT is two u8");

namespace board {
namespace {

const uint8_t FIRST_HOST_BOUND = 0x80;  // types from here up only go from the board to the host

bool greeted;
bool deadman;                     // drive stopped by the dead-man since the last SETPOINT
bool deadline_armed;              // a SETPOINT was taken: the dead-man will fall due
bool powered;                     // as last commanded
uint16_t answers;                 // seq of the last accepted SETPOINT
uint16_t rx_errors;               // bad frames since boot (wraps)
uint16_t stream_period;           // ms; 0: no streaming
uint32_t boot_ms, motor_ms, stream_last, deadline;
int16_t steer_targets[CORNERS];   // kept for the dead-man, which only zeroes the drive

// --- frames out ---------------------------------------------------------------------------

void send_info() {
  uint8_t *p = link::payload();
  p[INFO_PROTOCOL_OFFSET] = PROTOCOL_VERSION;
  p[INFO_BOARD_OFFSET] = BOARD_KIND_ARDUINO_UNO;
  p[INFO_FW_MAJOR_OFFSET] = FIRMWARE_VERSION_MAJOR;
  p[INFO_FW_MINOR_OFFSET] = FIRMWARE_VERSION_MINOR;
  p[INFO_FW_PATCH_OFFSET] = FIRMWARE_VERSION_PATCH;
  p[INFO_WHEELS_OFFSET] = WHEELS;
  p[INFO_CORNERS_OFFSET] = CORNERS;
  put_u16(p + INFO_COUNTS_PER_REV_OFFSET, COUNTS_PER_REV);
  put_u16(p + INFO_DEADMAN_MS_OFFSET, DEADMAN_MS);
  put_u16(p + INFO_MAX_DRIVE_OFFSET, MAX_DRIVE);
  put_u16(p + INFO_MAX_STEER_OFFSET, MAX_STEER);
  link::send(MSG_INFO, INFO_SIZE);
}

void send_status(uint32_t now_ms) {
  MotorReading r;
  motors::read(r);
  uint8_t flags = (powered ? STATUS_FLAG_POWERED : 0) | (deadman ? STATUS_FLAG_DEADMAN : 0) |
                  (motors::simulated() ? STATUS_FLAG_SIMULATED : 0) |
                  (greeted ? STATUS_FLAG_GREETED : 0);
  uint8_t *p = link::payload();
  put_u16(p + STATUS_ANSWERS_OFFSET, answers);
  put_u32(p + STATUS_UPTIME_MS_OFFSET, now_ms - boot_ms);
  p[STATUS_FLAGS_OFFSET] = flags;
  p[STATUS_STALLED_OFFSET] = r.stalled;
  p[STATUS_OPEN_CIRCUIT_OFFSET] = r.open_circuit;
  p[STATUS_ENCODER_LOST_OFFSET] = r.encoder_lost;
  put_u16(p + STATUS_RX_ERRORS_OFFSET, rx_errors);
  for (uint8_t i = 0; i < WHEELS; i++) {
    put_u32(p + STATUS_ENCODERS_OFFSET + STATUS_ENCODERS_WIDTH * i, (uint32_t)r.encoders[i]);
    put_u16(p + STATUS_CURRENTS_OFFSET + STATUS_CURRENTS_WIDTH * i, r.currents[i]);
  }
  for (uint8_t i = 0; i < CORNERS; i++)
    put_u16(p + STATUS_STEER_OFFSET + STATUS_STEER_WIDTH * i, (uint16_t)r.steer[i]);
  link::send(MSG_STATUS, STATUS_SIZE);
}

void send_reject(uint8_t type, uint8_t reason) {
  uint8_t *p = link::payload();
  p[REJECT_TYPE_OFFSET] = type;
  p[REJECT_REASON_OFFSET] = reason;
  link::send(MSG_REJECT, REJECT_SIZE);
}

// A frame that could not be taken: counted, and refused with its type byte and the reason.
void reject_frame(uint8_t type, uint8_t reason) {
  rx_errors++;
  if (type >= FIRST_HOST_BOUND) reason = REJECT_REASON_UNKNOWN_TYPE;
  send_reject(type, reason);
}

// --- time ---------------------------------------------------------------------------------

// Motors one millisecond at a time up to now_ms; the dead-man stops the drive at its very ms.
void advance(uint32_t now_ms) {
  for (;;) {
    if (deadline_armed && (int32_t)(motor_ms - deadline) >= 0) {
      static const int16_t stop[WHEELS] = {0};
      motors::set_targets(stop, steer_targets, powered);
      deadline_armed = false;
      deadman = true;
    }
    if (motor_ms == now_ms) return;
    motor_ms++;
    motors::advance_ms();
  }
}

// --- messages -----------------------------------------------------------------------------

uint8_t payload_size(uint8_t type) {
  switch (type) {
    case MSG_HELLO: return HELLO_SIZE;
    case MSG_SETPOINT: return SETPOINT_SIZE;
    case MSG_HEARTBEAT: return HEARTBEAT_SIZE;
    case MSG_STREAM: return STREAM_SIZE;
    case MSG_INJECT: return INJECT_SIZE;
    default: return 0xFF;  // not a message a board takes
  }
}

void hello(const uint8_t *p) {
  if (p[HELLO_PROTOCOL_OFFSET] != PROTOCOL_VERSION) {
    greeted = false;
    send_reject(MSG_HELLO, REJECT_REASON_WRONG_VERSION);
  } else {
    greeted = true;
  }
  send_info();
}

void setpoint(const uint8_t *p, uint32_t now_ms) {
  int16_t drive[WHEELS], steer[CORNERS];
  for (uint8_t i = 0; i < WHEELS; i++) {
    drive[i] = get_i16(p + SETPOINT_DRIVE_OFFSET + SETPOINT_DRIVE_WIDTH * i);
    if (drive[i] > MAX_DRIVE || drive[i] < -MAX_DRIVE)
      return send_reject(MSG_SETPOINT, REJECT_REASON_BAD_VALUE);
  }
  for (uint8_t i = 0; i < CORNERS; i++) {
    steer[i] = get_i16(p + SETPOINT_STEER_OFFSET + SETPOINT_STEER_WIDTH * i);
    if (steer[i] > MAX_STEER || steer[i] < -MAX_STEER)
      return send_reject(MSG_SETPOINT, REJECT_REASON_BAD_VALUE);
  }
  powered = p[SETPOINT_FLAGS_OFFSET] & SETPOINT_FLAG_POWERED;
  for (uint8_t i = 0; i < CORNERS; i++) steer_targets[i] = steer[i];
  motors::set_targets(drive, steer, powered);
  answers = get_u16(p + SETPOINT_SEQ_OFFSET);
  deadman = false;
  deadline_armed = true;
  deadline = now_ms + DEADMAN_MS;
  send_status(now_ms);
}

void inject(const uint8_t *p, uint32_t now_ms) {
  uint8_t fault = p[INJECT_FAULT_OFFSET], wheel = p[INJECT_WHEEL_OFFSET];
  bool known = fault == BOARD_FAULT_CLEAR || fault == BOARD_FAULT_STALL ||
               fault == BOARD_FAULT_OPEN_CIRCUIT || fault == BOARD_FAULT_ENCODER_LOSS;
  if (!known || (fault != BOARD_FAULT_CLEAR && wheel >= WHEELS))
    return send_reject(MSG_INJECT, REJECT_REASON_BAD_VALUE);
  motors::inject(fault, wheel);
  send_status(now_ms);
}

void handle(const uint8_t *message, uint8_t length, uint32_t now_ms) {
  uint8_t type = message[0];
  const uint8_t *p = message + 1;
  if (length < 1 + CRC_SIZE) return reject_frame(length ? type : 0, REJECT_REASON_BAD_LENGTH);
  if (crc16(message, length) != 0) return reject_frame(0, REJECT_REASON_BAD_CRC);
  uint8_t size = payload_size(type);
  if (size == 0xFF) return reject_frame(type, REJECT_REASON_UNKNOWN_TYPE);
  if (length != 1 + size + CRC_SIZE) return reject_frame(type, REJECT_REASON_BAD_LENGTH);
  if (type == MSG_HELLO) return hello(p);
  if (type == MSG_HEARTBEAT) return send_status(now_ms);
  if (!greeted) return send_reject(type, REJECT_REASON_NOT_GREETED);
  if (type == MSG_SETPOINT) return setpoint(p, now_ms);
  if (type == MSG_STREAM) {
    stream_period = get_u16(p + STREAM_PERIOD_MS_OFFSET);
    stream_last = now_ms;
    return;
  }
  inject(p, now_ms);
}

}  // namespace

void begin(uint32_t now_ms) {
  greeted = deadman = deadline_armed = false;
  powered = true;
  answers = rx_errors = stream_period = 0;
  boot_ms = motor_ms = stream_last = now_ms;
  for (uint8_t i = 0; i < CORNERS; i++) steer_targets[i] = 0;
  motors::begin();
  send_info();
}

void receive(uint8_t byte, uint32_t now_ms) {
  link::Event event = link::feed(byte);
  if (event == link::NOTHING) return;
  advance(now_ms);
  if (event == link::OVERLONG) return reject_frame(0, REJECT_REASON_BAD_LENGTH);
  int16_t length = cobs_decode(link::frame(), link::frame_length());
  if (length < 0) return reject_frame(0, REJECT_REASON_BAD_FRAME);
  handle(link::frame(), (uint8_t)length, now_ms);
}

void poll(uint32_t now_ms) {
  advance(now_ms);
  if (stream_period && now_ms - stream_last >= stream_period &&
      link::tx_room() >= STATUS_FRAME_SIZE) {
    stream_last = now_ms;
    send_status(now_ms);
  }
}

}  // namespace board
