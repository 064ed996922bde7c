"""The Asterisk 22 backend: realtime rows over ODBC, one generic dialplan, ARI and AMI on loopback."""
from littlepbx.pbx_backends.base import register

from .backend import AsteriskBackend

register(AsteriskBackend)

__all__ = ["AsteriskBackend"]
