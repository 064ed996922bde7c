"""An RTP receiver standing in for a caller's ear: it binds where the caller's SDP says its audio
goes, keeps every packet, and tells how much of it was sound (G.711 u-law decoded, not silence)."""
from __future__ import annotations

import math
import socket
import threading
import time

# u-law to 16-bit linear (G.711), the PCMU the tests' SDP offers.
_ULAW = []
for _byte in range(256):
    _u = ~_byte & 0xFF
    _magnitude = ((((_u & 0x0F) << 3) + 0x84) << ((_u & 0x70) >> 4)) - 0x84
    _ULAW.append(-_magnitude if _u & 0x80 else _magnitude)


class RtpSink:
    """UDP on ``ip`` (an ephemeral port: ``port``), collecting RTP until closed."""

    def __init__(self, ip: str):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((ip, 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.packets: list[tuple[float, int, bytes]] = []  # (arrival, payload type, payload)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self) -> None:
        while not self.stopping.is_set():
            try:
                data = self.socket.recv(2048)
            except TimeoutError:
                continue
            if len(data) > 12 and data[0] >> 6 == 2:  # RTP version 2
                header = 12 + 4 * (data[0] & 0x0F)
                self.packets.append((time.monotonic(), data[1] & 0x7F, data[header:]))

    def sound_seconds(self, threshold: float = 300.0) -> float:
        """Seconds of PCMU audio louder than ``threshold`` (RMS of 16-bit samples; silence is ~0)."""
        loud = 0
        for _, payload_type, payload in self.packets:
            if payload_type == 0 and payload:
                rms = math.sqrt(sum(_ULAW[b] ** 2 for b in payload) / len(payload))
                loud += len(payload) if rms > threshold else 0
        return loud / 8000

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(2)
        self.socket.close()
