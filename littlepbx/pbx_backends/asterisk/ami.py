"""A small Asterisk Manager Interface client: log in, send actions, read responses and events."""
from __future__ import annotations

import contextlib
import itertools
import socket
import time


class AMIError(Exception):
    """AMI refused an action or the connection failed."""


class AMIClient:
    """One AMI connection on loopback. Not thread-safe: use one per thread or per call."""

    def __init__(self, host: str, port: int, username: str, secret: str, timeout: float = 5.0,
                 events: bool = False):
        self._ids = itertools.count(1)
        self._buffer = b""
        self.events: list[dict] = []
        self._sock = socket.create_connection((host, port), timeout=timeout)
        self._sock.settimeout(timeout)
        self._read_line()  # banner: "Asterisk Call Manager/x.y.z"
        self.action("Login", Username=username, Secret=secret, Events="on" if events else "off")

    def close(self) -> None:
        """Log off and close the socket."""
        with contextlib.suppress(OSError):
            self._send({"Action": "Logoff", "ActionID": "logoff"})
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def action(self, name: str, **fields) -> dict:
        """Send one action and return its response; raise AMIError if it is an error."""
        action_id = f"lp{next(self._ids)}"
        self._send({"Action": name, "ActionID": action_id, **fields})
        while True:
            message = self._read_message()
            if message.get("ActionID") == action_id and "Response" in message:
                if message["Response"].lower() == "error":
                    raise AMIError(f"{name}: {message.get('Message', 'error')}")
                return message
            if "Event" in message:
                self.events.append(message)

    def getvar(self, variable: str) -> str:
        """The value of a global variable or dialplan function (no channel)."""
        return self.action("Getvar", Variable=variable).get("Value", "")

    def wait_event(self, predicate, timeout: float = 10.0) -> dict:
        """Read events until one satisfies ``predicate`` (events seen earlier included)."""
        for event in self.events:
            if predicate(event):
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self._read_message()
            except TimeoutError:
                continue
            if "Event" in message:
                self.events.append(message)
                if predicate(message):
                    return message
        raise AMIError("no matching event in time")

    def _send(self, fields: dict) -> None:
        """Write one message; values may not contain line breaks."""
        lines = []
        for key, value in fields.items():
            value = str(value)
            if "\r" in value or "\n" in value:
                raise AMIError(f"line break in {key}")
            lines.append(f"{key}: {value}")
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

    def _read_line(self) -> str:
        """One CRLF-terminated line."""
        while b"\r\n" not in self._buffer:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise AMIError("connection closed by Asterisk")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\r\n")
        return line.decode(errors="replace")

    def _read_message(self) -> dict:
        """One message: lines up to a blank line, as a dict."""
        message: dict[str, str] = {}
        while True:
            line = self._read_line()
            if not line:
                if message:
                    return message
                continue
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "Output" and key in message:
                # A CLI command's output comes one "Output:" line per line of text.
                message[key] += "\n" + value.strip()
            else:
                message[key] = value.strip()
