"""The packet layer: CCSDS packets declared with construct, CRC-16, COBS framing, dictionary."""
