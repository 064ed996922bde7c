"""install.sh over an existing install keeps every key of the config file an operator set."""
import os
import subprocess
import sys
from pathlib import Path

from littlepbx.config import read_config_file
from tests.conftest import ROOT


def write_config(tmp_path: Path, **options: str) -> subprocess.CompletedProcess:
    """Run install.sh's own write_config step, with its paths under ``tmp_path`` and ``options``
    as its LITTLEPBX_* environment."""
    prefix = tmp_path / "opt"
    prefix.mkdir(exist_ok=True)
    if not (prefix / "venv").exists():
        (prefix / "venv").symlink_to(sys.prefix)
    env = dict(os.environ, LITTLEPBX_PREFIX=str(prefix), LITTLEPBX_ETC_DIR=str(tmp_path / "etc"),
               LITTLEPBX_DATA_DIR=str(tmp_path / "data"), LITTLEPBX_LOG_DIR=str(tmp_path / "log"),
               **{f"LITTLEPBX_{key}": value for key, value in options.items()})
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


def test_when_install_is_given_a_mail_relay_then_the_config_says_it_and_a_later_run_may_change_it(tmp_path):
    write_config(tmp_path, MAIL_SERVER="smtp.relay.example", MAIL_PORT="587", MAIL_USE_TLS="true",
                 MAIL_USERNAME="pbx@relay.example", MAIL_PASSWORD="two words & a = sign")
    conf = tmp_path / "etc" / "littlepbx.conf"
    first = read_config_file(conf)
    assert (first["MAIL_SERVER"], first["MAIL_PORT"], first["MAIL_USE_TLS"]) == ("smtp.relay.example", 587, True)
    assert first["MAIL_PASSWORD"] == "two words & a = sign" and first["MAIL_USERNAME"] == "pbx@relay.example"

    result = write_config(tmp_path, MAIL_SERVER="smtp2.relay.example")
    again = read_config_file(conf)
    assert again["MAIL_SERVER"] == "smtp2.relay.example" and again["MAIL_PASSWORD"] == first["MAIL_PASSWORD"]
    assert conf.read_text().count("MAIL_SERVER") == 1, "replaced in place"
    assert "replaced MAIL_SERVER" in result.stdout + result.stderr
    write_config(tmp_path)
    assert read_config_file(conf)["MAIL_SERVER"] == "smtp2.relay.example", "a run without it keeps it"
