"""The littlepbx .deb: it builds with dpkg-buildpackage, lintian finds no error in it, it carries
install.sh and uninstall.sh runnable, and it depends on every Debian package install.sh would
otherwise install. (scripts/package-check.sh installs and purges it; CI runs that after the tests.)"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def runtime_packages() -> set[str]:
    """RUNTIME_PACKAGES of scripts/lib.sh: what install.sh installs when missing."""
    text = (ROOT / "scripts" / "lib.sh").read_text()
    return set(re.search(r"RUNTIME_PACKAGES=\(([^)]*)\)", text).group(1).split())


@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    if os.geteuid() != 0 and not all(shutil.which(tool) for tool in ("dpkg-buildpackage", "dh", "lintian")):
        pytest.skip("building the package needs dpkg-dev, debhelper and lintian (or root to install them)")
    out = tmp_path_factory.mktemp("deb")
    result = subprocess.run([str(ROOT / "scripts" / "build-deb.sh"), str(out)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1], result.stderr


@pytest.mark.slow
def test_the_package_builds_and_lintian_finds_no_error(deb):
    path, log = deb
    assert path.endswith("_all.deb") and os.path.exists(path)
    assert not re.search(r"^E: ", log, re.M), log


@pytest.mark.slow
def test_the_package_carries_the_installer_runnable_and_no_repository_clutter(deb):
    listing = subprocess.run(["dpkg-deb", "-c", deb[0]], capture_output=True, text=True, check=True).stdout
    modes = {line.split()[-1]: line.split()[0] for line in listing.splitlines()}
    assert modes["./usr/share/littlepbx/install.sh"].startswith("-rwx")
    assert modes["./usr/share/littlepbx/uninstall.sh"].startswith("-rwx")
    assert "./usr/share/littlepbx/littlepbx/pbx_backends/freeswitch/documents.py" in modes
    assert not [name for name in modes if re.search(r"/(\.git|\.venv|tests|__pycache__)/", name)]


@pytest.mark.slow
def test_the_package_depends_on_what_install_sh_would_install(deb):
    fields = subprocess.run(["dpkg-deb", "-f", deb[0], "Depends", "Recommends"], capture_output=True, text=True,
                            check=True).stdout
    named = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", fields.replace("Depends:", "").replace("Recommends:", "")))
    assert runtime_packages() <= named, runtime_packages() - named


@pytest.mark.slow
def test_the_packages_maintainer_scripts_run_install_sh_and_purge_with_uninstall_sh(deb):
    scripts = subprocess.run(["dpkg-deb", "--ctrl-tarfile", deb[0]], capture_output=True, check=True).stdout
    listing = subprocess.run(["tar", "-xO", "./postinst", "./postrm"], input=scripts, capture_output=True,
                             check=True).stdout.decode()
    assert "/usr/share/littlepbx/install.sh" in listing
    assert "uninstall.sh --purge" in listing
