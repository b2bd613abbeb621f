"""The rover's radio, emulated: COBS frames between the flight software and one ground station,
over TCP (`TcpRadio`) or a serial line (`SerialRadio`).

Uplink bytes go to `receive` (FlightSoftware.post) from the radio's reader thread as they arrive;
the flight software deframes them on its own thread. A new connection (or a reopened device)
first calls `reset`, so a partial frame from the last one is forgotten. Over TCP a new connection
takes the link from the ground holding it only by proving the uplink key (hil.radio.proof), unless
the newest is told to win. What the radio did is in `counters`, `status()` (RADIO telemetry)
and `summary()`. Downlink never blocks the
flight thread: send() puts the frame on a bounded queue that a writer thread drains; with no
ground, or a ground that stopped reading (queue full), the packet is dropped and counted. Nothing
the ground does (leave, send garbage, stop reading, unplug) stops the radio.

This is hardware as far as the flight software knows: `fsw/` never imports it; `rover fsw` wires
it to FlightSoftware.post and the downlink.
"""

from hil.radio.base import LinkCounters, Radio
from hil.radio.serial_line import SerialRadio
from hil.radio.tcp import TcpRadio, listen

__all__ = ["LinkCounters", "Radio", "SerialRadio", "TcpRadio", "listen"]
