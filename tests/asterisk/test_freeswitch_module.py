"""LittlePBX's FreeSWITCH module (mod_littlepbx: an INVITE's Replaces reaches only the caller's
organization's calls, see test_call_features.py) is compiled for the FreeSWITCH it runs in, once:
again only when that FreeSWITCH or the module changed. A FreeSWITCH whose sofia lacks LittlePBX's
change (scripts/freeswitch-sofia.patch) is not configured unless the operator accepts it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from littlepbx.config import DEFAULTS
from littlepbx.pbx_backends.base import BackendError
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


def test_a_freeswitch_whose_sofia_lacks_littlepbxs_change_is_refused_unless_accepted(tmp_path):
    vendor = tmp_path / "vendor"  # a FreeSWITCH as a vendor's package lays it out, its sofia unchanged
    (vendor / "bin").mkdir(parents=True)
    (vendor / "bin" / "freeswitch").write_bytes(b"\x7fELF")
    (vendor / "mod").mkdir()
    (vendor / "mod" / "mod_sofia.so").write_bytes(b"\x7fELF" + b"replaces-scope" * 1000)
    config = dict(DEFAULTS, FREESWITCH_PREFIX=str(vendor), FREESWITCH_ESL_PASSWORD="secret",
                  FREESWITCH_XML_SECRET="secret", FREESWITCH_CONFIG_DIR=str(tmp_path / "conf"))
    with pytest.raises(BackendError, match="end that organization's calls.*scripts/build-freeswitch.sh"):
        provision.configure(config)
    assert not (tmp_path / "conf").exists(), "nothing was configured"
    provision.check_sofia(dict(config, FREESWITCH_UNSCOPED_SOFIA="accept"), vendor)  # the operator's choice


def test_the_freeswitch_built_here_has_littlepbxs_change_to_sofia(prefix):
    assert provision.sofia_scoped(prefix), "scripts/build-freeswitch.sh applies scripts/freeswitch-sofia.patch"
