"""How many decimals a person wants to see of a float, by its unit: declared once, carried by
the dictionary (each float field's `decimals`), so every ground shows telemetry alike and no
ground prints -3.307228e-17 for a wheel at rest. A field may declare its own (`precision`)."""

DECIMALS_BY_UNIT: dict[str, int] = {
    "": 3,  # fractions, ratios
    "%": 1,
    "A": 3,
    "V": 2,
    "W": 1,
    "deg": 2,
    "deg/s": 2,
    "degC": 1,
    "m": 3,
    "m/s": 4,
    "ms": 1,
    "rad/s": 3,
    "s": 1,
}
DEFAULT_DECIMALS = 3
"""For a unit the table does not know."""


def decimals_for(unit: str, precision: int | None = None) -> int:
    """Decimals to show of a float in `unit`: the field's own `precision`, else the unit's."""
    if precision is not None:
        return precision
    return DECIMALS_BY_UNIT.get(unit, DEFAULT_DECIMALS)
