"""`littlepbxctl upgrade` on a copy of the cached Asterisk root, against a package mirror of the
test's own (a flat apt repository inside the root): a newer package is installed and a second run
changes nothing (so restarts nothing), and a mirror whose Release has expired (a stale or replayed
mirror) is refused with nothing changed."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from littlepbx.pbx_backends.asterisk import provision

from .conftest import CACHE_ROOT

pytestmark = pytest.mark.asterisk
PROBE = "lp-upgrade-probe"
REPO = "srv/lp-test-repo"  # inside the root


def package(directory, version: str):
    """A .deb of PROBE at ``version``, built in ``directory``."""
    tree = directory / f"{PROBE}-{version}"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN/control").write_text(f"Package: {PROBE}\nVersion: {version}\nArchitecture: all\n"
                                         "Maintainer: LittlePBX tests <tests@littlepbx.test>\n"
                                         "Description: a package the upgrade test upgrades\n")
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(tree), str(directory / f"{PROBE}_{version}.deb")],
                   check=True, capture_output=True)
    return directory / f"{PROBE}_{version}.deb"


def publish(root, deb, valid_for: timedelta) -> None:
    """A flat repository at REPO offering ``deb``, its Release valid for ``valid_for`` from now."""
    repo = root / REPO
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    shutil.copy(deb, repo)
    packages = subprocess.run(["dpkg-scanpackages", "--multiversion", "."], cwd=repo, capture_output=True,
                              text=True, check=True).stdout
    (repo / "Packages").write_text(packages)
    now = datetime.now(UTC)
    digest = hashlib.sha256(packages.encode()).hexdigest()
    (repo / "Release").write_text(
        f"Date: {format_datetime(now - timedelta(days=30), usegmt=True)}\n"
        f"Valid-Until: {format_datetime(now + valid_for, usegmt=True)}\n"
        f"SHA256:\n {digest} {len(packages.encode())} Packages\n")
    (root / "etc/apt/sources.list").write_text(f"deb [trusted=yes] file:/{REPO} ./\n")


def installed_version(root) -> str:
    return subprocess.run(["chroot", str(root), "dpkg-query", "-W", "-f", "${Version}", PROBE],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def root(tmp_path):
    """A copy of the cached root with PROBE 1.0 installed."""
    if os.geteuid() != 0 or not os.path.exists(f"{CACHE_ROOT}/usr/sbin/asterisk"):
        pytest.skip("needs root and the cached Asterisk root (the Asterisk tests build it)")
    provision.build_module(CACHE_ROOT)  # for this source (whichever test ran first)
    copy = tmp_path / "root"
    subprocess.run(["cp", "-a", CACHE_ROOT, str(copy)], check=True)
    shutil.copy(package(tmp_path, "1.0"), copy / "tmp")
    subprocess.run(["chroot", str(copy), "dpkg", "-i", f"/tmp/{PROBE}_1.0.deb"], check=True, capture_output=True)
    yield copy
    shutil.rmtree(copy, ignore_errors=True)


def test_when_the_mirror_has_newer_packages_then_they_are_installed_and_a_second_run_changes_nothing(
        root, tmp_path):
    publish(root, package(tmp_path, "2.0"), timedelta(days=7))
    config = {"ASTERISK_ROOT": str(root)}
    assert provision.upgrade_root(config) == [PROBE]
    assert installed_version(root) == "2.0"
    assert provision.upgrade_root(config) == []


def test_when_the_mirrors_release_has_expired_then_nothing_is_upgraded_and_it_says_why(root, tmp_path):
    publish(root, package(tmp_path, "2.0"), timedelta(days=-1))
    with pytest.raises(provision.ProvisionError, match="expired"):
        provision.upgrade_root({"ASTERISK_ROOT": str(root)})
    assert installed_version(root) == "1.0"


def test_when_asterisk_is_the_hosts_own_then_upgrade_says_to_use_the_hosts_apt():
    with pytest.raises(provision.ProvisionError, match="host's apt"):
        provision.upgrade_root({"ASTERISK_ROOT": ""})


def test_when_asterisk_changed_then_littlepbxs_module_is_built_for_it_and_the_root_is_left_as_it_was(root):
    module = provision.modules_dir(root) / f"{provision.MODULE_NAME}.so"
    stamp = module.with_suffix(".built")
    stamp.write_text("1:22.0.0-1 (an Asterisk upgraded since)\n")
    module.write_bytes(b"built for that Asterisk")
    packages = (root / "var/lib/dpkg/status").read_text()
    lists = sorted(path.name for path in (root / "var/lib/apt/lists").iterdir())
    subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True)  # as while Asterisk runs
    try:
        assert provision.build_module(root) is True
    finally:
        subprocess.run(["umount", "-l", str(root / "proc")], check=True)
    assert module.read_bytes()[:4] == b"\x7fELF"
    assert provision.build_module(root) is False  # built for this Asterisk and this source: nothing to do
    assert (root / "var/lib/dpkg/status").read_text() == packages, "no compiler, nothing else changed"
    assert sorted(path.name for path in (root / "var/lib/apt/lists").iterdir()) == lists
    assert not list(root.parent.glob(".littlepbx-module-*")), "the build's copy of the root is gone"
