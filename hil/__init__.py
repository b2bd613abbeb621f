"""The hardware the flight software talks to: the simulated rover and the serial board bridge."""
