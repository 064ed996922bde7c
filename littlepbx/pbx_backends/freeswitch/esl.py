"""A small client of FreeSWITCH's event socket (mod_event_socket, inbound mode, on loopback):
log in, send ``api`` commands, read their answers. One connection, used under a lock."""
from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import unquote


class ESLError(Exception):
    """The event socket could not be reached, refused the password, or an answer was cut short."""


class ESLClient:
    def __init__(self, host: str, port: int, password: str, timeout: float = 5.0):
        self.host, self.port, self.password, self.timeout = host, port, password, timeout
        self._socket: socket.socket | None = None
        self._buffer = b""
        self._lock = threading.Lock()

    def _read_headers(self) -> dict[str, str]:
        while b"\n\n" not in self._buffer:
            self._fill()
        head, _, self._buffer = self._buffer.partition(b"\n\n")
        headers = {}
        for line in head.decode(errors="replace").splitlines():
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        return headers

    def _fill(self) -> None:
        chunk = self._socket.recv(65536)
        if not chunk:
            raise ESLError("the event socket closed the connection")
        self._buffer += chunk

    def _read_message(self) -> tuple[dict[str, str], str]:
        headers = self._read_headers()
        length = int(headers.get("Content-Length", "0") or 0)
        while len(self._buffer) < length:
            self._fill()
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return headers, body.decode(errors="replace")

    def _connect(self) -> None:
        try:
            self._socket = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as error:
            raise ESLError(f"event socket {self.host}:{self.port}: {error}") from None
        self._buffer = b""
        headers, _ = self._read_message()
        if headers.get("Content-Type") != "auth/request":
            raise ESLError("the event socket did not ask for a password")
        self._socket.sendall(f"auth {self.password}\n\n".encode())
        headers, _ = self._read_message()
        if not headers.get("Reply-Text", "").startswith("+OK"):
            self.close()
            raise ESLError(f"the event socket refused the password: {headers.get('Reply-Text', '')}")

    def api(self, command: str) -> str:
        """The answer of an API command (``status``, ``limit_usage hash lp_calls t1``, ...)."""
        if "\n" in command:
            raise ESLError("an API command is one line")
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._socket is None:
                        self._connect()
                    self._socket.sendall(f"api {command}\n\n".encode())
                    while True:
                        headers, body = self._read_message()
                        if headers.get("Content-Type") == "api/response":
                            return body
                except (OSError, ESLError) as error:
                    self.close()
                    if attempt == 2 or isinstance(error, ESLError) and "password" in str(error):
                        raise ESLError(str(error)) from None
        raise ESLError("unreachable")

    def events(self, names: str):
        """Subscribe this connection to events (``"CHANNEL_HANGUP_COMPLETE"``) and yield each as a
        dict of its headers, for as long as the connection lasts (ESLError when it ends)."""
        if self._socket is None:
            self._connect()
        self._socket.settimeout(None)
        self._socket.sendall(f"event plain {names}\n\n".encode())
        while True:
            headers, body = self._read_message()
            if headers.get("Content-Type") != "text/event-plain":
                continue
            event = {}
            for line in body.splitlines():
                name, _, value = line.partition(": ")
                if name:
                    event[name] = unquote(value)
            yield event

    def interrupt(self) -> None:
        """End a read another thread is blocked in (events())."""
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self._socket is not None:
            try:
                self._socket.close()
            finally:
                self._socket = None


def client_for(config: dict) -> ESLClient:
    """The client of LittlePBX's FreeSWITCH (FREESWITCH_ESL_PORT on loopback, its password)."""
    return ESLClient("127.0.0.1", int(config["FREESWITCH_ESL_PORT"]), config["FREESWITCH_ESL_PASSWORD"])
