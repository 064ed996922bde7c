"""The worker's processes: Applies of different organizations on every CPU.

Python runs one thread of a process at a time, so one worker process spends at most one CPU on
Applies, however many threads it has (and its threads cost more CPU, not less, when they
contend). With WORKER_PROCESSES (default: one per CPU, at most 4) the `littlepbx worker` process
starts that many shard processes; each advances the runs of its share of the organizations
(organization id modulo their count), with its own database connections, PBX backend and
threads. An organization's runs are always in the same shard, so its Applies never race each
other and what the shard keeps of its last Apply (kinds.references.LiveRowCache, the backend's
digests) stays its own.

The parent holds the database's worker lock, ticks, listens for wake-ups and does the upkeep;
it wakes every shard when there may be work (a byte on the shard's pipe). A shard also looks
for work every WORKER_POLL_SECONDS on its own. It dies with its parent
(PR_SET_PDEATHSIG): a killed worker is gone at once, shards and all, and their transactions
roll back, as when the worker was one process; a stopped one lets each shard finish the steps
it has in hand. A shard that exits on its own is started again at the next tick.
"""
from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import select
import signal
import threading

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
MAX_DEFAULT_PROCESSES = 4
READY_SECONDS = 60  # how long the worker waits for its processes to start
STOP_SECONDS = 120  # how long a stopping shard may take to finish its steps before it is killed


def process_count(configured: int) -> int:
    """WORKER_PROCESSES as given, or (0) one per CPU, at most MAX_DEFAULT_PROCESSES."""
    return int(configured) if int(configured) > 0 else min(os.cpu_count() or 1, MAX_DEFAULT_PROCESSES)


def worker_config(config) -> dict:
    """The settings a shard builds its app from: the parent's, as plain values (picklable)."""
    return {key: value for key, value in config.items() if isinstance(value, (str, int, float, bool))}


class Shards:
    """The shard processes of one worker, each woken through its own pipe: the parent writes a
    byte without ever waiting (a full pipe means the shard has wake-ups to read already), and
    closing the pipe tells the shard to stop. No lock is shared with a shard, so one killed at
    any moment leaves nothing held."""

    def __init__(self, make_applier, config: dict, count: int, poll_seconds: float, threads: int):
        self.make_applier = make_applier  # a module-level function: config -> Applier
        self.config = config
        self.count = count
        self.poll_seconds = poll_seconds
        self.threads = threads
        self.context = multiprocessing.get_context("spawn")  # never a fork of a threaded process
        self.processes: list = [None] * count
        self.pipes: list = [None] * count  # the writing end of each shard's pipe
        self.stopping = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start every shard and wait until each is ready to apply (the worker listens for
        wake-ups only then: a request it hears is served at once)."""
        with self._lock:
            readiness = [self._start(index) for index in range(self.count)]
        for index, ready in enumerate(readiness):
            with ready:
                if not ready.poll(READY_SECONDS):
                    log.error("worker process %d is not ready after %d s; going on without waiting", index,
                              READY_SECONDS)
        log.info("worker running %d processes of %d threads", self.count, self.threads)

    def _start(self, index: int):
        """Start shard ``index``; returns the end of the pipe it says it is ready on."""
        reader, writer = self.context.Pipe(duplex=False)
        ready_reader, ready_writer = self.context.Pipe(duplex=False)
        process = self.context.Process(
            target=run_shard, name=f"littlepbx-worker-{index}",
            args=(self.make_applier, self.config, index, self.count, self.poll_seconds, self.threads, reader,
                  ready_writer, os.getpid()))
        process.start()
        reader.close()
        ready_writer.close()
        os.set_blocking(writer.fileno(), False)
        self.processes[index], self.pipes[index] = process, writer
        return ready_reader

    def wake(self) -> None:
        """Tell every shard to look for work now."""
        with self._lock:
            for pipe in self.pipes:
                if pipe is not None and not self.stopping:
                    with contextlib.suppress(BlockingIOError, BrokenPipeError):
                        os.write(pipe.fileno(), b"w")

    def check(self) -> None:
        """Start again any shard that exited while the worker runs."""
        with self._lock:
            for index, process in enumerate(self.processes):
                if not self.stopping and process is not None and not process.is_alive():
                    log.error("worker process %d exited (code %s); starting it again", index, process.exitcode)
                    self.pipes[index].close()
                    self._start(index).close()

    def stop(self) -> None:
        """Let every shard finish the steps in hand, then end it (killed if it takes too long)."""
        with self._lock:
            self.stopping = True
            for pipe in self.pipes:
                if pipe is not None:
                    pipe.close()
        for process in self.processes:
            if process is None:
                continue
            process.join(STOP_SECONDS)
            if process.is_alive():
                log.error("worker process %s did not stop within %d s; killing it", process.name, STOP_SECONDS)
                process.kill()
                process.join()


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this process when the worker that started it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent_pid:  # it died before prctl took effect
        os._exit(1)


def run_shard(make_applier, config: dict, index: int, count: int, poll_seconds: float, threads: int,
              wakes, ready, parent_pid: int) -> None:
    """A shard process: advance the runs of organizations whose id modulo ``count`` is ``index``,
    when woken through ``wakes`` and every ``poll_seconds``; stop when the pipe is closed."""
    die_with_parent(parent_pid)
    from littlepbx import logs
    from littlepbx.applier.worker import Worker
    logs.configure()
    signalled = threading.Event()
    # systemd stops the service by signalling every process of it: finish the steps in hand.
    signal.signal(signal.SIGTERM, lambda *_: signalled.set())
    signal.signal(signal.SIGINT, lambda *_: signalled.set())
    worker = Worker(make_applier(config), poll_seconds, threads=threads, partition=(index, count))
    with contextlib.suppress(OSError):
        ready.send(True)
    ready.close()
    fd = wakes.fileno()
    os.set_blocking(fd, False)
    try:
        while not signalled.is_set():
            readable, _, _ = select.select([fd], [], [], poll_seconds)
            if readable and not _drain(fd):
                break  # the worker closed the pipe: it is stopping
            if signalled.is_set():
                break
            worker.submit_runs()
            try:
                worker.applier.backend.retry_after_commit()
            except Exception:
                log.exception("retrying what an Apply left for after its commit failed; tried again later")
    finally:
        worker.pool.shutdown(wait=True)
        with contextlib.suppress(Exception):
            worker.applier.backend.close()


def _drain(fd: int) -> bool:
    """Read every wake-up waiting in the pipe; False when the other end is closed."""
    while True:
        try:
            if not os.read(fd, 4096):
                return False
        except BlockingIOError:
            return True
        except InterruptedError:
            continue
