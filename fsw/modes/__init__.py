"""The mode state machine: an engine that runs the transition table in `fsw.tables.modes`."""
