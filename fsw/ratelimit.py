"""A token bucket: the one rate limit for everything an outsider can make the rover do over and
over (reports of refused commands, of discarded uplink bytes) and for the uplink work budget.

It holds up to `burst` tokens and gains `rate` a second on the flight software's clock (so a
simulated run stays the same run); what it could not pay for is counted, never silently lost.
"""

from __future__ import annotations

from collections.abc import Callable


class TokenBucket:
    """`rate` tokens a second in the long run, after a burst of up to `burst` at once."""

    def __init__(self, rate: float, burst: float, now: Callable[[], float]) -> None:
        if rate <= 0 or burst <= 0:
            raise ValueError(f"token bucket: rate {rate} and burst {burst} must be positive")
        self.rate, self.burst, self._now = rate, burst, now
        self._tokens, self._refilled = float(burst), now()
        self.refused = 0  # takes it could not pay for

    def level(self) -> float:
        """Tokens available now (refilled for the time since the last look)."""
        now = self._now()
        elapsed = max(0.0, now - self._refilled)
        self._tokens = min(self.burst, self._tokens + elapsed * self.rate)
        self._refilled = now
        return self._tokens

    def spend(self, amount: float) -> None:
        """Pay `amount` (the caller checked level() first; never goes below nothing)."""
        self._tokens = max(0.0, self._tokens - amount)

    def take(self, cost: float = 1.0) -> bool:
        """Pay `cost` if there is that much (True); else count the refusal (False)."""
        if self.level() < cost:
            self.refused += 1
            return False
        self._tokens -= cost
        return True
