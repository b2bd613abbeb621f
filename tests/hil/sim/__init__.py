"""Tests of the simulated rover."""
