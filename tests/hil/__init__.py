"""Tests of the hardware behind the port."""
