"""The code's shape: layers that point one way, and a PBX reached only through its interface."""
import subprocess
import sys
from pathlib import Path

from littlepbx.pbx_backends.asterisk import AsteriskBackend
from littlepbx.pbx_backends.base import PBXBackend
from tests.support.recording_backend import RecordingBackend

ROOT = Path(__file__).resolve().parent.parent


def test_imports_point_down_the_layers_and_only_pbx_backends_know_asterisk():
    """The contracts are in pyproject.toml ([tool.importlinter])."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_no_module_outside_pbx_backends_names_an_asterisk_module():
    """Not even as a string for importlib: the backend is chosen by name through the registry."""
    named = [str(path.relative_to(ROOT)) for path in (ROOT / "littlepbx").rglob("*.py")
             if "pbx_backends" not in path.parts and "pbx_backends.asterisk" in path.read_text()]
    assert named == []


def test_every_backend_and_the_test_double_implement_the_whole_interface(app_config):
    assert PBXBackend.__abstractmethods__ >= {"write_org", "active_calls", "call_history", "convert_audio"}
    for backend_class in (AsteriskBackend, RecordingBackend):
        assert not backend_class.__abstractmethods__, backend_class
        backend = backend_class(dict(app_config))
        backend.close()


def test_shell_scripts_pass_shellcheck():
    scripts = ["install.sh", "uninstall.sh", "test.sh", ".ci/run", "scripts/lib.sh", "scripts/littlepbxctl"]
    result = subprocess.run(["shellcheck", "-x", *scripts], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
