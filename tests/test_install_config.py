"""install.sh over an existing install keeps every key of the config file an operator set."""
import os
import subprocess
import sys
from pathlib import Path

from littlepbx.config import read_config_file
from tests.conftest import ROOT


def write_config(tmp_path: Path) -> subprocess.CompletedProcess:
    """Run install.sh's own write_config step, with its paths under ``tmp_path``."""
    prefix = tmp_path / "opt"
    prefix.mkdir(exist_ok=True)
    if not (prefix / "venv").exists():
        (prefix / "venv").symlink_to(sys.prefix)
    env = dict(os.environ, LITTLEPBX_PREFIX=str(prefix), LITTLEPBX_ETC_DIR=str(tmp_path / "etc"),
               LITTLEPBX_DATA_DIR=str(tmp_path / "data"), LITTLEPBX_LOG_DIR=str(tmp_path / "log"))
    (tmp_path / "etc").mkdir(exist_ok=True)
    result = subprocess.run(["bash", "-c", f'source "{ROOT}/install.sh" && write_config'], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_when_install_runs_again_over_a_hand_edited_config_then_every_key_set_is_kept(tmp_path):
    write_config(tmp_path)
    conf = tmp_path / "etc" / "littlepbx.conf"
    first = read_config_file(conf)
    assert len(first["SECRET_KEY"]) == 48 and len(first["DB_PASSWORD"]) == 32
    assert f":{first['DB_PASSWORD']}@127.0.0.1:3306/" in first["DATABASE_URL"]
    assert oct(conf.stat().st_mode & 0o777) == "0o640"

    edited = (conf.read_text()
              .replace("LISTEN_PORT = 8080", "LISTEN_PORT = 9090")
              .replace("MAIL_SERVER = 127.0.0.1", "MAIL_SERVER = smtp.example.net")
              .replace(f"ASTERISK_ARI_PASSWORD = {first['ASTERISK_ARI_PASSWORD']}\n", "")
              + "# our relay needs a login\nMAIL_USERNAME = relay-user\nMAIL_USE_TLS = true\n")
    conf.write_text(edited)
    result = write_config(tmp_path)

    text = conf.read_text()
    assert text.startswith(edited), "the operator's lines stay exactly as they were"
    again = read_config_file(conf)
    assert again["LISTEN_PORT"] == 9090 and again["MAIL_SERVER"] == "smtp.example.net"
    assert again["MAIL_USERNAME"] == "relay-user" and again["MAIL_USE_TLS"] is True
    for key in ("SECRET_KEY", "DB_PASSWORD", "DATABASE_URL", "ASTERISK_AMI_SECRET"):
        assert again[key] == first[key]
    assert len(again["ASTERISK_ARI_PASSWORD"]) == 32, "a missing key is added again"
    assert "added ASTERISK_ARI_PASSWORD" in result.stdout + result.stderr

    unchanged = conf.read_text()
    write_config(tmp_path)
    assert conf.read_text() == unchanged, "a third run with nothing missing changes nothing"
