"""The operator console: completion, rendering, the line interpreter and the REPL."""
