"""The FreeSWITCH 1.10 backend: LittlePBX serves the directory and each call's dialplan over
mod_xml_curl from the rows an Apply commits, and reads calls over the event socket."""
from littlepbx.pbx_backends.base import register

from .backend import FreeSwitchBackend

register(FreeSwitchBackend)

__all__ = ["FreeSwitchBackend"]
