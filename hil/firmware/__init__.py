"""Firmware of the serial boards: the Arduino Uno's (arduino/) and its emulation on simavr
(simavr/), and the Raspberry Pi agent (pi/)."""
