// The simulated motors (hil/board/motors.py is the reference; the constants come from
// hil/board/model.py through board_protocol.h). Advanced one millisecond at a time:
// - unpowered: drive targets count as 0, corners hold still, every current is 0;
// - a wheel's rate moves toward its target by DRIVE_ACCEL/1000 mrad/s, then its encoder integrates
//   the new rate: acc += rate * COUNTS_PER_REV, one count per MICRORAD_PER_REV either way;
// - a stalled wheel's rate is 0; it draws STALL_CURRENT while powered and commanded to turn;
// - an open-circuit wheel draws 0 and still follows its target (the body drags it);
// - otherwise a wheel draws RUN_CURRENT while powered and turning;
// - a wheel whose encoder is lost neither counts nor integrates: its count and its fraction (acc)
//   hold still, so after CLEAR it counts on from exactly where it stopped;
// - a corner moves toward its target by STEER_RATE/1000 mrad while powered.
#include "motors.h"

namespace motors {
namespace {

const int16_t DRIVE_STEP = DRIVE_ACCEL / 1000;  // mrad/s per ms
const int16_t STEER_STEP = STEER_RATE / 1000;   // mrad per ms
const int32_t REV = MICRORAD_PER_REV;
static_assert((int32_t)MAX_DRIVE * COUNTS_PER_REV + MICRORAD_PER_REV < 0x7FFFFFFFL,
              "one millisecond of encoder fraction fits an int32");

bool powered;
int16_t drive_target[WHEELS], rate[WHEELS];
int16_t steer_target[CORNERS], steer[CORNERS];
uint32_t count[WHEELS];  // unsigned: wraps at 2^32 without undefined behaviour, read as int32
int32_t acc[WHEELS];     // encoder fraction, in (-REV, REV)
uint8_t stalled, open_circuit, encoder_lost;

int16_t toward(int16_t value, int16_t target, int16_t step) {
  if (value < target) return target - value > step ? value + step : target;
  return value - target > step ? value - step : target;
}

void integrate(uint8_t wheel) {
  int32_t a = acc[wheel] + (int32_t)rate[wheel] * COUNTS_PER_REV;
  while (a >= REV) {
    count[wheel]++;
    a -= REV;
  }
  while (a <= -REV) {
    count[wheel]--;
    a += REV;
  }
  acc[wheel] = a;
}

}  // namespace

bool simulated() { return true; }

void begin() {
  powered = true;
  for (uint8_t i = 0; i < WHEELS; i++) drive_target[i] = rate[i] = count[i] = acc[i] = 0;
  for (uint8_t i = 0; i < CORNERS; i++) steer_target[i] = steer[i] = 0;
  stalled = open_circuit = encoder_lost = 0;
}

void set_targets(const int16_t drive[WHEELS], const int16_t steer_to[CORNERS], bool on) {
  for (uint8_t i = 0; i < WHEELS; i++) drive_target[i] = drive[i];
  for (uint8_t i = 0; i < CORNERS; i++) steer_target[i] = steer_to[i];
  powered = on;
}

void advance_ms() {
  for (uint8_t i = 0; i < WHEELS; i++) {
    uint8_t bit = 1 << i;
    if (stalled & bit) {
      rate[i] = 0;
      continue;
    }
    rate[i] = toward(rate[i], powered ? drive_target[i] : 0, DRIVE_STEP);
    if (!(encoder_lost & bit) && rate[i] != 0) integrate(i);
  }
  if (powered)
    for (uint8_t i = 0; i < CORNERS; i++) steer[i] = toward(steer[i], steer_target[i], STEER_STEP);
}

void inject(uint8_t fault, uint8_t wheel) {
  uint8_t bit = 1 << wheel;
  switch (fault) {
    case BOARD_FAULT_CLEAR:
      stalled = open_circuit = encoder_lost = 0;
      break;
    case BOARD_FAULT_STALL:
      stalled |= bit;
      rate[wheel] = 0;
      break;
    case BOARD_FAULT_OPEN_CIRCUIT:
      open_circuit |= bit;
      break;
    case BOARD_FAULT_ENCODER_LOSS:
      encoder_lost |= bit;
      break;
  }
}

void read(MotorReading &out) {
  for (uint8_t i = 0; i < WHEELS; i++) {
    uint8_t bit = 1 << i;
    out.encoders[i] = (int32_t)count[i];
    if (!powered || (open_circuit & bit))
      out.currents[i] = 0;
    else if (stalled & bit)
      out.currents[i] = drive_target[i] ? STALL_CURRENT : 0;
    else
      out.currents[i] = rate[i] ? RUN_CURRENT : 0;
  }
  for (uint8_t i = 0; i < CORNERS; i++) out.steer[i] = steer[i];
  out.stalled = stalled;
  out.open_circuit = open_circuit;
  out.encoder_lost = encoder_lost;
}

}  // namespace motors
