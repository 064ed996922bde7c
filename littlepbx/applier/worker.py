"""The worker process (`littlepbx worker`): APScheduler ticks, runs advanced in a thread pool,
and an Apply started the moment it is requested (applier/wake.py). With several processes
(applier/shards.py) this one ticks, listens and does the upkeep, and the shards advance the runs.

Only one worker may run per database (a MariaDB named lock held for the process's
life); the lock goes with the connection if the process is killed.
"""
from __future__ import annotations

import contextlib
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from littlepbx.applier.wake import WakeListener

log = logging.getLogger(__name__)


LOCK_SESSION_TIMEOUT = 60  # seconds; the lock's connection is pinged every tick
STOP_CHECK_SECONDS = 1.0  # the main thread waits for stop() in steps this long (signals wake it anyway)


class WorkerAlreadyRunning(RuntimeError):
    """Another worker holds the lock for this database."""


class Worker:
    """Polls for active runs and advances each one in its own thread, one step at a time.

    ``shards`` (applier/shards.py): the processes that advance the runs instead of this one.
    ``partition`` (index, count): in a shard, only the runs of organizations whose id modulo
    count is index."""

    def __init__(self, applier, poll_seconds: float, threads: int = 8, shards=None,
                 partition: tuple[int, int] | None = None):
        self.applier = applier
        self.shards = shards
        self.partition = partition
        self.db = applier.db
        self.poll_seconds = poll_seconds
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="apply")
        self.in_flight: set = set()  # run ids, and "housekeeping", with a job in the pool
        self.lock = threading.Lock()
        self.lock_connection = None
        self.locking = False  # run_forever: every tick first makes sure the lock is still held
        self.stopped = threading.Event()  # set by stop(): run_forever returns
        self.lock_connection_id = None
        self.lost_lock = False

    @property
    def lock_name(self) -> str:
        """The MariaDB named lock that keeps a second worker off this database."""
        return "littlepbx.worker." + (self.db.engine.url.database or "")

    def take_lock(self) -> None:
        """Hold the database's worker lock, or raise WorkerAlreadyRunning."""
        connection = self.db.engine.connect()
        try:
            if connection.scalar(text("SELECT GET_LOCK(:name, 0)"), {"name": self.lock_name}) != 1:
                raise WorkerAlreadyRunning("another LittlePBX worker is running on this database")
            # Pinged every tick while alive: if this process loses the connection without the
            # server noticing, the server ends the session (and frees the lock) within a minute.
            connection.execute(text(f"SET SESSION wait_timeout = {LOCK_SESSION_TIMEOUT}"))
            self.lock_connection_id = connection.scalar(text("SELECT CONNECTION_ID()"))
            connection.commit()
        except BaseException:
            connection.close()
            raise
        self.lock_connection = connection

    def keep_lock(self) -> bool:
        """Whether this worker still holds its lock, taking it again if its connection was lost.

        Asked every tick, which also keeps the lock's connection from idling past the server's
        wait_timeout. False while the database cannot be reached; if another worker took the
        lock meanwhile, this worker stops and `littlepbx worker` exits with an error.
        """
        if self.lock_connection is not None:
            try:
                mine = self.lock_connection.scalar(text("SELECT IS_USED_LOCK(:name) = CONNECTION_ID()"),
                                                   {"name": self.lock_name})
                self.lock_connection.commit()
                if mine:
                    return True
            except DBAPIError as error:
                log.warning("the worker lock's database connection was lost (%s); taking the lock again",
                            error.orig)
            self._drop_lock_connection()
        try:
            self.take_lock()
        except WorkerAlreadyRunning:
            if self._holder() == self.lock_connection_id:
                log.warning("the worker lock is still held by this worker's lost session; waiting for it to end")
                return False
            log.error("another worker took the lock while this one was disconnected; stopping")
            self.lost_lock = True
            self.stop()
            return False
        except DBAPIError as error:
            log.warning("cannot reach the database to take the worker lock: %s", error.orig)
            return False
        log.info("worker lock taken again")
        return True

    def _holder(self):
        """The connection id holding the worker lock now, or None."""
        with self.db.engine.connect() as connection:
            return connection.scalar(text("SELECT IS_USED_LOCK(:name)"), {"name": self.lock_name})

    def _drop_lock_connection(self) -> None:
        with contextlib.suppress(DBAPIError):
            self.lock_connection.close()
        self.lock_connection = None

    def stop(self) -> None:
        """Stop ticking (run_forever returns once the runs in hand have finished their step).
        Only sets an event, so a signal is never lost whenever it comes: before the ticks start,
        during the first one, or from a tick itself."""
        self.stopped.set()

    def tick(self) -> None:
        """Start a step for every active run, and every run owing an e-mail, not already in hand."""
        if self.locking and not self.keep_lock():
            return
        self._submit("housekeeping", self._housekeeping)
        if self.shards is not None:
            self.shards.check()
        self.submit_runs()

    def submit_runs(self) -> None:
        """Start a step for every active run, and every run owing an e-mail, not already in hand:
        each tick, and at once when the web app says an Apply was requested (applier/wake.py).
        With shards, they are told to."""
        if self.shards is not None:
            self.shards.wake()
            return
        for run_id in (self.applier.active_run_ids(self.partition)
                       + self.applier.unnotified_run_ids(self.partition)):
            self._submit(run_id, self._step, run_id)

    def _submit(self, key, job, *args) -> None:
        """Run ``job`` in the pool unless the job under ``key`` is still in hand."""
        with self.lock:
            if key in self.in_flight:
                return
            self.in_flight.add(key)

        def run():
            try:
                job(*args)
            finally:
                with self.lock:
                    self.in_flight.discard(key)
        self.pool.submit(run)

    def _housekeeping(self) -> None:
        try:
            self.applier.backend.housekeeping()
        except Exception:
            log.exception("PBX housekeeping failed; it will be tried again")
        try:
            self.applier.housekeeping()
        except Exception:
            log.exception("LittlePBX housekeeping failed; it will be tried again")

    def _step(self, run_id: int) -> None:
        try:
            self.applier.step(run_id)
        except Exception:
            log.exception("step of run %s failed; it will be tried again", run_id)

    def run_forever(self) -> None:
        """Take the lock and tick until SIGTERM or SIGINT; the first tick resumes interrupted runs."""
        self.take_lock()
        self.locking = True
        signal.signal(signal.SIGTERM, lambda *_: self.stop())
        signal.signal(signal.SIGINT, lambda *_: self.stop())
        scheduler = BackgroundScheduler()
        scheduler.add_job(self.tick, "interval", seconds=self.poll_seconds, max_instances=1,
                          coalesce=True, id="tick")
        log.info("worker started; polling every %s s", self.poll_seconds)
        listener = WakeListener(self.applier.data_dir, self.submit_runs)
        try:
            if self.shards is not None and not self.stopped.is_set():
                self.shards.start()
            listener.start()
            if not self.stopped.is_set():
                self.tick()
            if not self.stopped.is_set():
                scheduler.start()
            while not self.stopped.wait(STOP_CHECK_SECONDS):
                pass
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=True)
            listener.stop()
            if self.shards is not None:
                self.shards.stop()
        self.pool.shutdown(wait=True)
        if self.lost_lock:
            raise WorkerAlreadyRunning("another LittlePBX worker took the lock; this one stopped")
