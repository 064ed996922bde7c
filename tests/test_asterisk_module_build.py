"""Where the build of LittlePBX's Asterisk module downloads Asterisk's headers from: the archives
the root's (or the host's) apt installs from, written in either of apt's styles."""
from __future__ import annotations

import pytest

from littlepbx.pbx_backends.asterisk import provision

DEBIAN = "http://deb.debian.org/debian"


def test_the_sources_of_the_archives_apt_installs_from_are_read_in_either_style(tmp_path):
    apt = tmp_path / "etc" / "apt"
    (apt / "sources.list.d").mkdir(parents=True)
    (apt / "sources.list").write_text(f"# debootstrap\ndeb [arch=amd64 signed-by=/k.gpg] {DEBIAN} sid main  # x\n"
                                      "deb-src http://elsewhere.example/debian sid main\n")
    (apt / "sources.list.d" / "debian.sources").write_text(
        f"Types: deb deb-src\nURIs: {DEBIAN}\nSuites: trixie trixie-updates\nComponents: main contrib\n"
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
        "Types: deb\nURIs: http://security.debian.org/debian-security\nSuites: trixie-security\n"
        "Components: main\nEnabled: no\n")
    assert provision.source_lines(tmp_path).splitlines() == [
        f"deb-src {DEBIAN} sid main", f"deb-src {DEBIAN} trixie main contrib",
        f"deb-src {DEBIAN} trixie-updates main contrib"]
    assert provision.source_lines(tmp_path, binaries=True).splitlines()[:2] == [
        f"deb {DEBIAN} sid main", f"deb-src {DEBIAN} sid main"]


def test_a_root_with_no_apt_sources_is_refused_with_a_reason(tmp_path):
    with pytest.raises(provision.ProvisionError, match="no apt sources"):
        provision.source_lines(tmp_path)
