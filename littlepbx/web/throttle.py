"""Failed logins counted per client address, so one address cannot try many accounts quickly.

The per-account counter lives in the database (services.users.authenticate); this
one is in memory, per process: enough to slow a guessing client down.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque

FREE_FAILURES = 10          # failures an address may make in WINDOW_SECONDS before waiting
WINDOW_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 15 * 60
MAX_ADDRESSES = 10_000      # forget the stalest addresses beyond this many


class AddressThrottle:
    """Failure times per address; after FREE_FAILURES each further one doubles the wait."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.failures: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def wait_seconds(self, address: str) -> int:
        """How long ``address`` must wait before its next attempt (0: it may try now)."""
        with self.lock:
            times = self._recent(address)
            if len(times) < FREE_FAILURES:
                return 0
            delay = min(2 ** (len(times) - FREE_FAILURES), MAX_WAIT_SECONDS)
            remaining = times[-1] + delay - self.clock()
            return math.ceil(remaining) if remaining > 0 else 0

    def failed(self, address: str) -> None:
        """Count one failed login from ``address``."""
        with self.lock:
            if address not in self.failures and len(self.failures) >= MAX_ADDRESSES:
                self._forget_stalest()
            self._recent(address).append(self.clock())

    def _recent(self, address: str) -> deque[float]:
        times = self.failures.setdefault(address, deque())
        while times and times[0] < self.clock() - WINDOW_SECONDS:
            times.popleft()
        return times

    def _forget_stalest(self) -> None:
        stalest = min(self.failures, key=lambda a: self.failures[a][-1] if self.failures[a] else 0)
        del self.failures[stalest]
