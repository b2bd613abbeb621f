// Pin map for an Uno that drives real motors (README.md, "Pin map", explains it). The simulated
// motors (motors_sim.cpp) use none of it; a motors implementation for real hardware does.
//
// An Uno has 20 I/O pins and only 6 PWM outputs, too few to drive ten motors directly, so:
// - PWM and direction of the six drive motors go through a PCA9685 16-channel PWM board on I2C
//   (two channels per H-bridge, IN1/IN2, e.g. DRV8871), the four steering servos through a
//   second PCA9685 at 50 Hz (one chip has one PWM frequency);
// - the six quadrature encoders (A and B) are read on pin-change interrupts, D2-D13;
// - motor currents (Hall sensors such as ACS711, or shunt amplifiers) and the steering servos'
//   feedback potentiometers are read by three ADS1115 4-channel ADCs on I2C;
// - A0 enables the motor drivers (low: every driver off, the safe state at reset), A1 reads an
//   emergency-stop switch (to ground, pull-up on).
// D0/D1 are the USB serial link to the flight computer; A4/A5 are SDA/SCL.
#pragma once
#include <Arduino.h>

#include "board_protocol.h"

namespace pins {

// Quadrature encoders, wheel order LF LM LR RF RM RR: channel A and channel B.
// PCINT groups: D2-D7 on PCINT2 (PORTD), D8-D13 on PCINT0 (PORTB).
const uint8_t ENCODER_A[WHEELS] = {2, 4, 6, 8, 10, 12};
const uint8_t ENCODER_B[WHEELS] = {3, 5, 7, 9, 11, 13};

const uint8_t DRIVER_ENABLE = A0;  // output, high: motor drivers enabled
const uint8_t ESTOP = A1;          // input with pull-up, low: emergency stop pressed
const uint8_t SPARE[] = {A2, A3};  // free (e.g. a battery-voltage divider on A2)

// I2C devices (7-bit addresses) on A4 (SDA) / A5 (SCL).
const uint8_t PCA9685_DRIVE = 0x40;  // drive motors: channels 2i (IN1) and 2i+1 (IN2) of wheel i
const uint8_t PCA9685_STEER = 0x41;  // steering servos: channel c for corner c (LF LR RF RR), 50 Hz
const uint8_t ADS1115_ADDR[3] = {0x48, 0x49, 0x4A};

// Which ADC input reads what: ADC index (into ADS1115_ADDR) * 4 + channel.
const uint8_t CURRENT_INPUT[WHEELS] = {0, 1, 2, 3, 4, 5};  // 0x48 A0-A3, 0x49 A0-A1
const uint8_t STEER_INPUT[CORNERS] = {6, 7, 8, 9};         // 0x49 A2-A3, 0x4A A0-A1

}  // namespace pins
