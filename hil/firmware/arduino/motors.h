// The six drive motors and four steering motors behind the board, as the protocol sees them.
// motors_sim.cpp is the simulated set every bare board carries (STATUS flag SIMULATED): the same
// integer model as hil/board/motors.py, to the count. To drive real motors, write another
// implementation of these functions (see pins.h and README.md for a pin map) and build it instead
// of motors_sim.cpp (`make MOTORS=motors_yours.cpp`).
#pragma once
#include <stdint.h>

#include "board_protocol.h"

struct MotorReading {
  int32_t encoders[WHEELS];   // counts since boot, LF LM LR RF RM RR, + forward (wraps at 2^31)
  uint16_t currents[WHEELS];  // mA
  int16_t steer[CORNERS];     // measured corner angles, mrad, LF LR RF RR
  uint8_t stalled;            // bit i: wheel i stalled
  uint8_t open_circuit;       // bit i: wheel i open circuit
  uint8_t encoder_lost;       // bit i: wheel i encoder not counting
};

namespace motors {

// True when nothing physical moves (no motor driver attached).
bool simulated();

// Everything at rest, powered, no faults (called once at boot).
void begin();

// New wheel rates (mrad/s) and corner angles (mrad), already range-checked; powered false
// switches every motor off.
void set_targets(const int16_t drive[WHEELS], const int16_t steer[CORNERS], bool powered);

// One millisecond has passed: run the control loops (or the model) one step.
void advance_ms();

// Makes BoardFault `fault` happen on `wheel` (0-5), or clears every fault (CLEAR); both
// already checked.
void inject(uint8_t fault, uint8_t wheel);

// Encoders, currents, corner angles and fault masks now.
void read(MotorReading &out);

}  // namespace motors
