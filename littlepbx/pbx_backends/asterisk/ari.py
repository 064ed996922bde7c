"""A small client of the Asterisk REST Interface (ARI) over HTTP on loopback, with requests.

LittlePBX reads through ARI what it answers well (the channels that are up, each with its
tenantid), AMI for the dialplan's GROUP_COUNT, and the control socket (console.py) for the
few CLI commands it runs (cache expiry, registration lookups).
"""
from __future__ import annotations

import requests


class ARIError(Exception):
    """ARI did not answer, or refused the request."""


class ARIClient:
    """GET requests to ARI with the configured user; one short-lived HTTP session per client."""

    def __init__(self, port: int, username: str, password: str, host: str = "127.0.0.1",
                 timeout: float = 3.0):
        self.base = f"http://{host}:{port}/ari/"
        self.auth = (username, password)
        self.timeout = timeout

    def get(self, path: str, **params):
        """The JSON answer of GET /ari/<path>."""
        try:
            response = requests.get(self.base + path, params=params, auth=self.auth, timeout=self.timeout)
        except requests.RequestException as error:
            raise ARIError(f"ARI did not answer: {error}") from None
        if response.status_code != 200:
            raise ARIError(f"ARI answered {response.status_code} to GET {path}: {response.text[:200]}")
        return response.json()
