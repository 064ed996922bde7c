"""LittlePBX's FreeSWITCH module (mod_littlepbx: an INVITE's Replaces reaches only the caller's
organization's calls, see test_call_features.py) is compiled for the FreeSWITCH it runs in, once:
again only when that FreeSWITCH or the module changed. A FreeSWITCH whose SIP stack lacks LittlePBX's
changes (scripts/freeswitch-sofia.patch, scripts/sofia-sip.patch), or has other versions of them, is
not configured unless the operator accepts it."""
from __future__ import annotations

import os
import re
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


def vendor_freeswitch(path: Path, mod_sofia: bytes) -> Path:
    """A FreeSWITCH laid out as a vendor's package lays it out, at ``path``, its mod_sofia ``mod_sofia``."""
    (path / "bin").mkdir(parents=True)
    (path / "bin" / "freeswitch").write_bytes(b"\x7fELF")
    (path / "mod").mkdir()
    (path / "mod" / "mod_sofia.so").write_bytes(b"\x7fELF" + mod_sofia)
    return path


@pytest.mark.parametrize("mod_sofia, said", [
    (b"replaces-scope" * 1000, "mod_sofia lacks it; the sofia-sip library that mod_sofia loads was not found"),
    (b"LittlePBX change to mod_sofia: 3\0", "mod_sofia has version 3 of it, this LittlePBX needs 4"),
], ids=["unchanged", "older"])
def test_a_freeswitch_whose_sip_stack_lacks_littlepbxs_change_is_refused_unless_accepted(tmp_path, mod_sofia, said):
    vendor = vendor_freeswitch(tmp_path / "vendor", mod_sofia)
    config = dict(DEFAULTS, FREESWITCH_PREFIX=str(vendor), FREESWITCH_ESL_PASSWORD="secret",
                  FREESWITCH_XML_SECRET="secret", FREESWITCH_CONFIG_DIR=str(tmp_path / "conf"))
    with pytest.raises(BackendError, match=f"{re.escape(said)}.*end that organization's calls.*build-freeswitch.sh"):
        provision.configure(config)
    assert not (tmp_path / "conf").exists(), "nothing was configured"
    provision.check_sofia(dict(config, FREESWITCH_UNSCOPED_SOFIA="accept"), vendor)  # the operator's choice


def test_each_patch_names_the_version_of_its_change_that_provisioning_needs():
    """Changing a patch means raising its version in both places: a FreeSWITCH built before is
    then refused (and scripts/build-freeswitch.sh rebuilds what changed)."""
    for part, patch in (("mod_sofia", "freeswitch-sofia.patch"), ("sofia-sip", "sofia-sip.patch")):
        text = (Path(__file__).resolve().parents[2] / "scripts" / patch).read_text()
        assert re.findall(rf'^\+const char littlepbx_change_to_\w+\[\] = "LittlePBX change to {part}: (\d+)";$',
                          text, re.M) == [str(provision.SOFIA_CHANGES[part])]


def test_the_freeswitch_built_here_runs_with_the_versions_of_littlepbxs_changes_the_code_needs(prefix):
    assert provision.sofia_changes(prefix) == provision.SOFIA_CHANGES
    assert provision.missing_changes(prefix) == []
