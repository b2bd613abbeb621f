"""The ground segment's core: the link to the rover, what the ground knows about it, command lines
and telemetry conditions, and sessions that drive a live link, an in-process rover or a log."""
