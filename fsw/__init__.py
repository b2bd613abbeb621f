"""Flight software of the rover: what would fly. Never imports `tools` or a `hil` backend."""

__version__ = "0.1.0"

VERSION: tuple[int, int, int] = tuple(int(p) for p in __version__.split("."))  # type: ignore[assignment]
