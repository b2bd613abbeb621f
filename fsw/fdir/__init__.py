"""Fault detection, isolation and recovery: the monitors declared in `fsw.tables.monitors`."""
