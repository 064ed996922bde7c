"""Every kind of organization configuration, one module each, declared in littlepbx.kinds.base's
terms. Importing this package registers them, in the order references need (targets first).

Adding a kind is one module here (plus its rows in the PBX backend and its page section):
see README, "Architecture".
"""
from littlepbx.kinds.base import GLOBAL, ORG, SINGLETON, Kind
from littlepbx.kinds.registry import all_kinds, kind_named, register

# The kinds, in dependency order; importing registers each.
from littlepbx.kinds.extensions import Extensions  # isort: skip
from littlepbx.kinds.dids import Dids  # isort: skip
from littlepbx.kinds.trunks import Trunks  # isort: skip
from littlepbx.kinds.moh import MusicOnHold  # isort: skip

__all__ = ["GLOBAL", "ORG", "SINGLETON", "Dids", "Extensions", "Kind", "MusicOnHold", "Trunks",
           "all_kinds", "kind_named", "register"]
