"""Log lines that say whose they are: "<time> <level> <logger> org=<code> run=<id>: <message>",
the org (and the Apply run) taken from what the current request or worker job is about.

`bound(org=..., run=...)` adds to the context for a block; `bind_org` sets the org for the rest
of a web request (cleared at its end)."""
from __future__ import annotations

import contextlib
import contextvars
import logging

_context: contextvars.ContextVar[tuple[tuple[str, str], ...]] = contextvars.ContextVar("littlepbx_log", default=())
FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"


class ContextFilter(logging.Filter):
    """Puts " org=acme run=12" (or nothing) into each record's ``context``."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.context = "".join(f" {key}={value}" for key, value in _context.get())
        return True


def configure(verbose: bool = False) -> None:
    """Log to stderr (systemd's journal, or littlepbxctl's files under LOG_DIR) in FORMAT; a
    process whose logging is set up already (a test runner's) keeps its own."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT, "%Y-%m-%dT%H:%M:%S"))
        handler.addFilter(ContextFilter())
        root.addHandler(handler)
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # APScheduler logs two INFO lines per tick of the worker (170,000 a day): only its problems.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)


@contextlib.contextmanager
def bound(**values):
    """Within the block, every line also names ``values`` (e.g. org="acme", run=12)."""
    token = _context.set(_merged(values))
    try:
        yield
    finally:
        _context.reset(token)


def bind_org(code: str) -> None:
    """The org the current request is about (reset by clear())."""
    _context.set(_merged({"org": code}))


def clear() -> None:
    """Forget the context (end of a web request: threads serve many)."""
    _context.set(())


def _merged(values: dict) -> tuple[tuple[str, str], ...]:
    current = dict(_context.get())
    current.update({key: str(value) for key, value in values.items() if value is not None})
    return tuple(current.items())
