"""Tests of the Arduino firmware, its build, and the emulated Uno it runs on (simavr)."""
