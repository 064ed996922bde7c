"""Waking the worker the moment an Apply is requested, instead of at its next tick.

The worker listens on a Unix datagram socket in DATA_DIR (the web app and the worker share it
and run as the same account). A request sends one datagram after its transaction commits; the
worker then looks for active runs at once. Nothing depends on the datagram arriving: the worker
still ticks every WORKER_POLL_SECONDS, so a lost wake-up only costs the wait it was meant to save.
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from pathlib import Path

log = logging.getLogger(__name__)

SOCKET_NAME = "worker.wake"
WAIT_SECONDS = 1.0  # how soon the listener notices stop()


def socket_path(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / SOCKET_NAME


def wake(data_dir: str | os.PathLike) -> bool:
    """Tell the worker of ``data_dir`` there is work; False when no worker listens (it ticks anyway)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        try:
            sender.sendto(b"apply", str(socket_path(data_dir)))
        except OSError:  # no worker, a full queue (it is awake already), a path too long
            return False
    return True


class WakeListener:
    """Calls ``on_wake`` in its own thread for every datagram (a burst of them coalesces)."""

    def __init__(self, data_dir: str | os.PathLike, on_wake):
        self.path = socket_path(data_dir)
        self.on_wake = on_wake
        self.sock = None
        self.thread = None
        self.stopping = False

    def start(self) -> bool:
        """Bind and listen; False (and a warning) when the socket cannot be made: ticks still work."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()  # left by a worker that was killed
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.bind(str(self.path))
            self.path.chmod(0o660)
            self.sock.settimeout(WAIT_SECONDS)
        except OSError as error:
            log.warning("cannot listen for wake-ups on %s (%s); Applies start at the next tick", self.path, error)
            if self.sock is not None:
                self.sock.close()
                self.sock = None
            return False
        self.thread = threading.Thread(target=self._listen, name="wake", daemon=True)
        self.thread.start()
        return True

    def _listen(self) -> None:
        while not self.stopping:
            try:
                self.sock.recv(64)
            except TimeoutError:
                continue
            except OSError:
                return
            # Wake-ups sent meanwhile are served by this one. (Not recv(MSG_DONTWAIT): a socket
            # with a timeout polls for that long before every recv.)
            self.sock.settimeout(0)
            with contextlib.suppress(OSError):
                while self.sock.recv(64):
                    pass
            self.sock.settimeout(WAIT_SECONDS)
            try:
                self.on_wake()
            except Exception:
                log.exception("looking for work after a wake-up failed; the next tick tries again")

    def stop(self) -> None:
        if self.sock is None:
            return
        self.stopping = True
        if self.thread is not None:
            self.thread.join(timeout=5)
        self.sock.close()
        with contextlib.suppress(OSError):
            self.path.unlink()
