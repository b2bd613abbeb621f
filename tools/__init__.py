"""The ground: the `rover` command, dictionary loader, telemetry log and bulk decoding."""
