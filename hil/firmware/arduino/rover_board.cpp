// The rover's motor-and-sensor board on an Arduino Uno: the board protocol on the USB serial port
// (board.cpp), around six drive and four steering motors (motors.h; simulated by default).
//
// The loop never blocks: received bytes are taken only while the transmit buffer has room for
// the largest answer, a streamed STATUS only when a whole frame fits, and between events the CPU
// idles (SLEEP_MODE_IDLE) until the next interrupt: a received or sent byte, or the 1.024 ms
// timer tick behind millis().
#include <Arduino.h>
#include <avr/interrupt.h>
#include <avr/sleep.h>

#include "board.h"
#include "pins.h"  // the pin map for real motor drivers (unused by the simulated motors)

#ifndef SERIAL_BAUD
#define SERIAL_BAUD 115200
#endif

namespace {

bool can_take_byte() { return Serial.available() > 0 && link::tx_room() >= board::REPLY_ROOM; }

// Sleeps until the next interrupt unless there is work already. Interrupts are off while
// deciding; `sei` takes effect after the next instruction, so no wake-up is lost in between.
void idle() {
  set_sleep_mode(SLEEP_MODE_IDLE);
  cli();
  if (!can_take_byte()) {
    sleep_enable();
    sei();
    sleep_cpu();
    sleep_disable();
  }
  sei();
}

}  // namespace

void setup() {
  Serial.begin(SERIAL_BAUD);
  board::begin(millis());
}

void loop() {
  while (can_take_byte()) board::receive((uint8_t)Serial.read(), millis());
  board::poll(millis());
  idle();
}
