"""install.sh over an install restarts only the services whose inputs changed (or that are not
running), Asterisk last: with 1,000 organizations an Asterisk restart is half a minute in which
no phone registers. Its own restart_changed step, with littlepbxctl and Asterisk's fingerprint
played by small stand-ins that record what they are asked; and that fingerprint itself."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

STAND_IN_CTL = """#!/bin/sh
echo "$*" >>"$CALLS"
[ "$1" != status ] || [ ! -e "$STOPPED/$2" ]
"""


def rerun(tmp_path: Path, pbx: str = "") -> list[str]:
    """install.sh's restart_changed once (``pbx``: as `--pbx` says; empty: Asterisk); returns
    what littlepbxctl was asked to restart."""
    calls = tmp_path / "calls"
    calls.write_text("")
    ctl = tmp_path / "littlepbxctl"
    ctl.write_text(STAND_IN_CTL)
    ctl.chmod(0o755)
    env = dict(os.environ, LITTLEPBX_PREFIX=str(tmp_path / "opt"), LITTLEPBX_ETC_DIR=str(tmp_path / "etc"),
               CALLS=str(calls), STOPPED=str(tmp_path / "stopped"), PBX_INPUTS=str(tmp_path / "pbx-inputs"), LITTLEPBX_PBX=pbx)
    script = (f'source "{ROOT}/install.sh" && CTL="{ctl}" && CONF="$ETC_DIR/littlepbx.conf" '
              '&& provision() { sha256sum <"$PBX_INPUTS" | cut -d" " -f1; } && restart_changed')
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return [line.split()[1] for line in calls.read_text().splitlines() if line.startswith("restart")]


def test_when_install_runs_again_then_only_what_changed_is_restarted_asterisk_last(tmp_path):
    source = tmp_path / "opt" / "src" / "littlepbx"
    source.mkdir(parents=True)
    (source / "app.py").write_text("print('v1')\n")
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "littlepbx.conf").write_text("LISTEN_PORT = 8080\n")
    (tmp_path / "etc" / "services.env").write_text("SERVICE_USER=littlepbx\n")
    (tmp_path / "pbx-inputs").write_text("pjsip.conf v1\n")
    (tmp_path / "stopped").mkdir()

    assert rerun(tmp_path) == ["worker", "web", "asterisk"], "a first install starts everything"
    assert rerun(tmp_path) == [], "nothing changed: nothing restarted"
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "app.cpython.pyc").write_bytes(b"\0")
    assert rerun(tmp_path) == [], "compiled files are no change"

    (source / "app.py").write_text("print('v2')\n")
    assert rerun(tmp_path) == ["worker", "web"], "new code: the app's services, not Asterisk"
    (tmp_path / "etc" / "littlepbx.conf").write_text("LISTEN_PORT = 9090\n")
    assert rerun(tmp_path) == ["worker", "web"]
    (tmp_path / "pbx-inputs").write_text("pjsip.conf v2\n")
    assert rerun(tmp_path) == ["asterisk"], "Asterisk's files changed: Asterisk alone"
    (tmp_path / "stopped" / "web").touch()
    assert rerun(tmp_path) == ["web"], "a service that is not running is started even if unchanged"


def test_with_freeswitch_installed_it_is_freeswitch_that_is_restarted_when_its_inputs_change(tmp_path):
    (tmp_path / "opt" / "src").mkdir(parents=True)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "littlepbx.conf").write_text("PBX_BACKEND = freeswitch\n")
    (tmp_path / "etc" / "services.env").write_text("PBX=freeswitch\n")
    (tmp_path / "pbx-inputs").write_text("freeswitch.xml v1\n")
    (tmp_path / "stopped").mkdir()
    assert rerun(tmp_path, "freeswitch") == ["worker", "web", "freeswitch"]
    (tmp_path / "pbx-inputs").write_text("freeswitch.xml v2\n")
    assert rerun(tmp_path, "freeswitch") == ["freeswitch"]


FINGERPRINT = """
import json, sys
from littlepbx.pbx_backends.asterisk import provision
print(provision.fingerprint(json.loads(sys.argv[1])))
"""


def test_asterisk_is_not_restarted_because_install_ran_from_another_copy_of_the_same_code(tmp_path):
    """The fingerprint install.sh compares is the same whichever copy of the code computes it (a
    fresh clone, an unpacked release, the installed tree), and changes with Asterisk's files."""
    root = tmp_path / "root"
    (root / "etc" / "asterisk").mkdir(parents=True)
    (root / "etc" / "asterisk" / "pjsip.conf").write_text("[global]\n")
    (root / "var" / "lib" / "dpkg").mkdir(parents=True)
    (root / "var" / "lib" / "dpkg" / "status").write_text("Package: asterisk\nVersion: 22.5.2\n")
    modules = root / "usr" / "lib" / "x86_64-linux-gnu" / "asterisk" / "modules"
    modules.mkdir(parents=True)
    (modules / "res_pjsip_refer.so").write_bytes(b"")
    (modules / "res_littlepbx_replaces.built").write_text("22.5.2 source-1\n")
    config = json.dumps({"ASTERISK_ROOT": str(root), "ASTERISK_CONFIG_DIR": "/etc/asterisk"})
    copy = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "littlepbx", copy / "littlepbx", ignore=shutil.ignore_patterns("__pycache__"))

    def fingerprint(code: Path) -> str:
        result = subprocess.run([sys.executable, "-P", "-c", FINGERPRINT, config], env=dict(os.environ, PYTHONPATH=str(code)),
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    first = fingerprint(ROOT)
    assert fingerprint(copy) == first
    (root / "etc" / "asterisk" / "pjsip.conf").write_text("[global]\nuser_agent=x\n")
    changed = fingerprint(copy)
    assert changed != first, "a changed configuration file is a change"
    assert fingerprint(ROOT) == changed
    (root / "var" / "lib" / "dpkg" / "status").write_text("Package: asterisk\nVersion: 22.6.0\n")
    assert fingerprint(copy) != changed, "a new Asterisk package is a change"
    changed = fingerprint(copy)
    (modules / "res_littlepbx_replaces.built").write_text("22.5.2 source-2\n")
    assert fingerprint(copy) != changed, "LittlePBX's Asterisk module built again is a change"
