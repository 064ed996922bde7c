"""The worker process (`littlepbx worker`): APScheduler ticks, runs advanced in a thread pool.

Only one worker may run per database (a MariaDB named lock held for the process's
life); the lock goes with the connection if the process is killed.
"""
from __future__ import annotations

import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import text

log = logging.getLogger(__name__)


class WorkerAlreadyRunning(RuntimeError):
    """Another worker holds the lock for this database."""


class Worker:
    """Polls for active runs and advances each one in its own thread, one step at a time."""

    def __init__(self, applier, db, poll_seconds: float, threads: int = 8):
        self.applier = applier
        self.db = db
        self.poll_seconds = poll_seconds
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="apply")
        self.in_flight: set[int] = set()
        self.lock = threading.Lock()
        self.lock_connection = None

    def take_lock(self) -> None:
        """Hold the database's worker lock, or raise WorkerAlreadyRunning."""
        connection = self.db.engine.connect()
        name = "littlepbx.worker." + (self.db.engine.url.database or "")
        if connection.scalar(text("SELECT GET_LOCK(:name, 0)"), {"name": name}) != 1:
            connection.close()
            raise WorkerAlreadyRunning("another LittlePBX worker is running on this database")
        self.lock_connection = connection

    def tick(self) -> None:
        """Start a step for every active run, and every run owing an e-mail, not already in hand."""
        for run_id in self.applier.active_run_ids() + self.applier.unnotified_run_ids():
            with self.lock:
                if run_id in self.in_flight:
                    continue
                self.in_flight.add(run_id)
            self.pool.submit(self._step, run_id)

    def _step(self, run_id: int) -> None:
        try:
            self.applier.step(run_id)
        except Exception:
            log.exception("step of run %s failed; it will be tried again", run_id)
        finally:
            with self.lock:
                self.in_flight.discard(run_id)

    def run_forever(self) -> None:
        """Take the lock and tick until SIGTERM or SIGINT; the first tick resumes interrupted runs."""
        self.take_lock()
        scheduler = BlockingScheduler()
        scheduler.add_job(self.tick, "interval", seconds=self.poll_seconds, max_instances=1,
                          coalesce=True, id="tick")
        def stop(*_):
            scheduler.shutdown(wait=False)
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("worker started; polling every %s s", self.poll_seconds)
        self.tick()
        scheduler.start()
        self.pool.shutdown(wait=True)
