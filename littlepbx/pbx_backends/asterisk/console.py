"""Asterisk's control socket (what ``asterisk -rx`` talks to), for the few CLI commands LittlePBX runs.

AMI's Command action runs any CLI command, and CLI commands can start programs (``channel
originate ... application System``) or stop Asterisk: an AMI account allowed "command" can do
all that. The control socket instead checks every command against cli_permissions.conf for the
uid and gid of the process on the other end (the kernel says who it is, nothing can be
claimed): LittlePBX's services' group may run the commands matching COMMANDS and nothing else,
and root keeps the whole CLI for the operator (provision.cli_permissions writes the file from
COMMANDS, and this client refuses anything else before asking, so the two cannot drift).
"""
from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The CLI commands LittlePBX runs, each as the anchored extended regular expression
# cli_permissions.conf permits (Asterisk matches it against the command's words joined by one
# space). Every one asks about, or forgets, one object or one organization: no whole lists.
COMMANDS = {
    "expire": r"^sorcery memory cache expire lp_[a-z]+ [A-Za-z0-9_.+-]+$",
    "populate": r"^sorcery memory cache populate lp_[a-z]+$",
    "forget ring groups": r"^database deltree lprg [a-z0-9]+$",
    "calls per group": r"^group show channels$",
    "registration": r"^pjsip show registration [a-z0-9]+-trunk-out$",
}
PATTERNS = [re.compile(pattern, re.ASCII) for pattern in COMMANDS.values()]
SOCKET = "/run/asterisk/asterisk.ctl"  # inside Asterisk's root (its /var/run is a link to /run)
REFUSED = "You don't have permissions to run"
BANNER_LIMIT = 1024


class ConsoleError(Exception):
    """The control socket refused a command or could not be reached."""


def allowed(command: str) -> bool:
    """Whether ``command`` (words joined by single spaces) is one LittlePBX may run."""
    return any(pattern.fullmatch(command) for pattern in PATTERNS)


def run(socket_path: str | Path, command: str, timeout: float = 5.0) -> str:
    """Run one CLI command through the control socket and return what it printed.

    One connection per command: ``cli quit after`` has Asterisk close it once the command is
    done, which is how the end of the output is known."""
    if not allowed(command):
        raise ConsoleError(f"refused to run {command!r}: LittlePBX runs only {', '.join(COMMANDS)}")
    with _connected(socket_path, timeout) as connection:
        connection.sendall(f"cli quit after {command}\0".encode())
        answer = _read_to_end(connection)
    banner, newline, output = answer.partition(b"\n")
    if not newline or len(banner) > BANNER_LIMIT:
        raise ConsoleError(f"Asterisk's control socket {socket_path} did not answer as Asterisk does")
    text = output.decode(errors="replace")
    if text.startswith(REFUSED):
        raise ConsoleError(f"Asterisk refused {command!r} to this account (cli_permissions.conf)")
    return text


def probe(socket_path: str | Path, timeout: float = 5.0) -> None:
    """Raise ConsoleError unless Asterisk answers on its control socket (its banner)."""
    with _connected(socket_path, timeout) as connection:
        if not connection.recv(BANNER_LIMIT):
            raise ConsoleError(f"Asterisk's control socket {socket_path} closed without a word")


@contextmanager
def _connected(socket_path: str | Path, timeout: float) -> Iterator[socket.socket]:
    """A connection to the control socket; any socket error as ConsoleError."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout)
            connection.connect(str(socket_path))
            yield connection
    except OSError as error:
        raise ConsoleError(f"Asterisk's control socket {socket_path}: {error}") from None


def _read_to_end(connection: socket.socket) -> bytes:
    """Everything the peer sends until it closes the connection."""
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)
