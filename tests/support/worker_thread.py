"""The Apply worker ticking in a thread of the test process, as `littlepbx worker` would in its own."""
from __future__ import annotations

import threading
from contextlib import contextmanager

from littlepbx import build_applier
from littlepbx.applier.worker import Worker


@contextmanager
def running_worker(app, poll_seconds: float = 0.2):
    """Tick a Worker of ``app`` every ``poll_seconds`` until the block ends; yields the Worker."""
    worker = Worker(build_applier(app), poll_seconds=poll_seconds, threads=2)
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            worker.tick()
            stop.wait(poll_seconds)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        stop.set()
        thread.join(timeout=10)
        worker.pool.shutdown(wait=True)
