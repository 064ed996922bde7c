"""Failed logins, counted per client address and per (account, address).

A third party who knows an admin's e-mail can slow down only its own address: the account is
not locked for everyone, so the right password from another address (or after the wait) still
works. The same counting applies to e-mails that do not exist, so the answers do not tell which
do. Kept in memory, per process: enough to slow a guessing client down on one server.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque

WINDOW_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 15 * 60
MAX_KEYS = 50_000       # forget the stalest keys beyond this many
# Failures allowed in WINDOW_SECONDS before each further one doubles the wait.
ADDRESS_FREE_FAILURES = 10   # from one address, over any accounts
ACCOUNT_FREE_FAILURES = 5    # for one account from one address


class KeyedThrottle:
    """Failure times per key; after ``free`` failures each further one doubles the wait."""

    def __init__(self, free: int, clock=time.monotonic):
        self.free = free
        self.clock = clock
        self.failures: dict[object, deque[float]] = {}
        self.lock = threading.Lock()

    def wait_seconds(self, key) -> int:
        """How long ``key`` must wait before its next attempt (0: it may try now)."""
        with self.lock:
            times = self._recent(key)
            if len(times) < self.free:
                return 0
            delay = min(2 ** (len(times) - self.free), MAX_WAIT_SECONDS)
            remaining = times[-1] + delay - self.clock()
            return math.ceil(remaining) if remaining > 0 else 0

    def failed(self, key) -> None:
        """Count one failed login of ``key``."""
        with self.lock:
            if key not in self.failures and len(self.failures) >= MAX_KEYS:
                self._forget_stalest()
            self._recent(key).append(self.clock())

    def forget(self, key) -> None:
        """A successful login: ``key`` starts afresh."""
        with self.lock:
            self.failures.pop(key, None)

    def _recent(self, key) -> deque[float]:
        times = self.failures.setdefault(key, deque())
        while times and times[0] < self.clock() - WINDOW_SECONDS:
            times.popleft()
        return times

    def _forget_stalest(self) -> None:
        stalest = min(self.failures, key=lambda k: self.failures[k][-1] if self.failures[k] else 0)
        del self.failures[stalest]


class LoginThrottle:
    """The two counts a login attempt is held to: its address's, and its account's from that address."""

    def __init__(self, clock=time.monotonic):
        self.by_address = KeyedThrottle(ADDRESS_FREE_FAILURES, clock)
        self.by_account = KeyedThrottle(ACCOUNT_FREE_FAILURES, clock)

    def wait_seconds(self, address: str, email: str) -> int:
        """How long this address must wait before trying this e-mail again."""
        return max(self.by_address.wait_seconds(address), self.by_account.wait_seconds((email.lower(), address)))

    def failed(self, address: str, email: str) -> None:
        """Count one failure of this e-mail from this address."""
        self.by_address.failed(address)
        self.by_account.failed((email.lower(), address))

    def succeeded(self, address: str, email: str) -> None:
        """The account's count from this address starts afresh (the address's does not)."""
        self.by_account.forget((email.lower(), address))
