"""The Asterisk 22 backend: realtime rows over ODBC, one generic dialplan, AMI for call counts."""
from littlepbx.pbx_backends.base import register

from .backend import AsteriskBackend
from .moh import convert_moh

register(AsteriskBackend)

__all__ = ["AsteriskBackend", "convert_moh"]
