"""LittlePBX's FreeSWITCH module (mod_littlepbx: an INVITE's Replaces reaches only the caller's
organization's calls, see test_call_features.py) is compiled for the FreeSWITCH it runs in, once:
again only when that FreeSWITCH or the module changed."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from littlepbx.pbx_backends.freeswitch import provision

from .freeswitch import BUILT


@pytest.fixture
def prefix() -> Path:
    prefix = Path(os.environ.get("FREESWITCH_PREFIX") or BUILT)
    if not (prefix / "bin" / "freeswitch").exists():
        pytest.skip("needs a FreeSWITCH (scripts/build-freeswitch.sh)")
    return prefix


def test_the_module_is_built_once_for_each_freeswitch_and_each_source(tmp_path, prefix):
    config = {"FREESWITCH_CONFIG_DIR": str(tmp_path / "conf"), "FREESWITCH_STATE_DIR": str(tmp_path / "state")}
    (tmp_path / "conf").mkdir()
    module = tmp_path / "conf" / f"{provision.MODULE_NAME}.so"
    assert provision.build_module(config, prefix) is True
    assert module.read_bytes()[:4] == b"\x7fELF"
    assert oct(module.stat().st_mode & 0o777) == "0o644"  # FreeSWITCH's account reads it, cannot change it
    built = module.stat().st_mtime_ns
    assert provision.build_module(config, prefix) is False
    assert module.stat().st_mtime_ns == built
    stamp = module.with_suffix(".built")
    stamp.write_text(stamp.read_text().replace(str(prefix), "/another/freeswitch"))
    assert provision.build_module(config, prefix) is True, "another FreeSWITCH: built again"
