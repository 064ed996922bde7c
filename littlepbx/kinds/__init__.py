"""Every kind of organization configuration, one module each, declared in littlepbx.kinds.base's
terms. Importing this package imports every module in it, which registers its kind.

Adding a kind is one module here (plus its migration, its rows in the PBX backend and its page
section): see README, "Architecture".
"""
import importlib
import pkgutil

from littlepbx.kinds.base import GLOBAL, ORG, SINGLETON, Kind
from littlepbx.kinds.registry import all_kinds, kind_named, register

# The package's machinery; every other module declares one kind.
_MACHINERY = {"base", "registry", "references", "pbx", "audio", "emergency"}
for _module in sorted(module.name for module in pkgutil.iter_modules(__path__)):
    if _module not in _MACHINERY:
        importlib.import_module(f"{__name__}.{_module}")

# The kinds the rest of the code names (each module's kind is also reachable by kind_named).
from littlepbx.kinds.dids import Dids  # noqa: E402
from littlepbx.kinds.extensions import Extensions  # noqa: E402
from littlepbx.kinds.moh import MusicOnHold  # noqa: E402
from littlepbx.kinds.trunks import Trunks  # noqa: E402

__all__ = ["GLOBAL", "ORG", "SINGLETON", "Dids", "Extensions", "Kind", "MusicOnHold", "Trunks",
           "all_kinds", "kind_named", "register"]
