"""Asterisk's interfaces give LittlePBX only what it uses: AMI for counters, the control socket
for a few CLI commands, ARI read-only, and its database account only its own rows (tests/test_database_accounts.py)."""
import pwd
import subprocess
from pathlib import Path

import pytest
import requests

from littlepbx.pbx_backends.asterisk import console, provision
from littlepbx.pbx_backends.asterisk.ami import AMIError
from littlepbx.pbx_backends.asterisk.console import ConsoleError

from .conftest import SERVICES_GROUP

pytestmark = pytest.mark.asterisk


def test_when_the_ami_account_asks_to_run_a_program_a_cli_command_reload_or_place_a_call_then_it_is_refused(orgs):
    with orgs.backend.ami() as ami:
        assert ami.getvar("GROUP_COUNT(t1@tenant)") in ("", "0")
        for action, fields in (("Originate", {"Channel": "Local/s@lp-refuse", "Application": "System",
                                              "Data": "touch /tmp/owned"}),
                               ("Command", {"Command": "core show version"}),
                               ("Reload", {}), ("Setvar", {"Variable": "GLOBAL(X)", "Value": "1"})):
            with pytest.raises(AMIError, match="(?i)permission denied"):
                ami.action(action, **fields)


def as_the_services(pbx, command: str, group: str = SERVICES_GROUP, socket_group: bool = True) -> str:
    """What Asterisk's control socket answers ``command`` from a process that is not root and
    runs in ``group`` (the services' group, as the web app and the worker do) and, with
    ``socket_group``, in Asterisk's group too, as install.sh's service account does; asked
    directly: no client of ours in between to refuse it first."""
    ask = ("import socket, sys\n"
           "s = socket.socket(socket.AF_UNIX)\n"
           "s.connect(sys.argv[1])\n"
           "s.sendall(b'cli quit after ' + sys.argv[2].encode() + b'\\0')\n"
           "out = b''\n"
           "while chunk := s.recv(65536):\n"
           "    out += chunk\n"
           "print(out.decode().partition('\\n')[2], end='')\n")
    # Started in the socket's directory (entered before the process drops root): the tests' temporary
    # directories are root's alone, the services' way to their Asterisk is not.
    path = pbx.backend.console_socket
    extra = [provision.host_account(pbx.config)[1]] if socket_group else []
    result = subprocess.run(["/usr/bin/python3", "-c", ask, path.name, command], cwd=path.parent,
                            user="nobody", group=group, extra_groups=extra, capture_output=True,
                            text=True, timeout=10)
    if result.returncode:
        raise PermissionError(result.stderr.strip().splitlines()[-1])
    return result.stdout


# One command of each kind console.COMMANDS allows, and what Asterisk's answer to it holds.
USED = {"registration": ("pjsip show registration t1-trunk-out", "t1-trunk-out"),
        "populate": ("sorcery memory cache populate lp_identifies", "has been populated"),
        "expire": ("sorcery memory cache expire lp_endpoints t1-101", ""),
        "forget ring groups": ("database deltree lprg zz9", ""),
        "calls per group": ("group show channels", "")}


def test_the_services_run_the_cli_commands_littlepbx_uses_and_asterisk_refuses_them_every_other(orgs):
    assert set(USED) == set(console.COMMANDS)
    for command, answer in USED.values():
        output = as_the_services(orgs, command)
        assert answer in output and "permission" not in output and "No such command" not in output, command
    for command in ("core show version", "core show channels", "pjsip show endpoint t1-101",
                    "pjsip show endpoints", "database deltree lprgx", "database show",
                    "channel originate Local/s@lp-refuse application System touch /tmp/lp-owned",
                    "sorcery memory cache expire lp_endpoints t1-101 t2-101", "module unload app_dial.so"):
        assert "don't have permissions" in as_the_services(orgs, command), command
    assert "Asterisk" in orgs.cli("core show version")  # root, the operator, keeps the whole CLI
    # Another account of Asterisk's group runs nothing; one outside it cannot even connect.
    assert "don't have permissions" in as_the_services(orgs, "group show channels", group="nogroup")
    with pytest.raises(PermissionError):
        as_the_services(orgs, "group show channels", socket_group=False)


def test_the_backend_runs_no_cli_command_but_those_it_uses_not_even_as_root(orgs):
    # With 20,000 endpoints a whole list took Asterisk 40 s and 200 MB it never gave back.
    assert "t1-trunk-out" in orgs.backend.console("pjsip show registration t1-trunk-out")
    for command in ("pjsip show endpoints", "pjsip show contacts", "PJSIP list aors", "pjsip show registrations",
                    "core stop now", "group show channels\0core stop now"):
        with pytest.raises(ConsoleError, match="refused"):
            orgs.backend.console(command)
    assert "Asterisk" in orgs.cli("core show version")


def test_when_the_ari_account_tries_to_start_a_call_then_it_is_refused(orgs):
    config = orgs.config
    base = f"http://127.0.0.1:{config['ASTERISK_ARI_PORT']}/ari/"
    auth = (config["ASTERISK_ARI_USER"], config["ASTERISK_ARI_PASSWORD"])
    assert requests.get(base + "channels", auth=auth, timeout=5).status_code == 200
    answer = requests.post(base + "channels", params={"endpoint": "PJSIP/t2-101", "app": "x"}, auth=auth, timeout=5)
    assert answer.status_code == 403, answer.text


def test_asterisk_runs_as_a_host_account_of_its_own(orgs):
    from .conftest import SYSTEM_USER
    status = Path(f"/proc/{orgs.process.pid}/status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert pwd.getpwuid(uid).pw_name == SYSTEM_USER
