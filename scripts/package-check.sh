#!/usr/bin/env bash
# Build the .deb, install it on this machine, check that it brought LittlePBX up as install.sh
# does, purge it and check that nothing of it is left. Run as root on a machine without
# LittlePBX (CI runs it after the tests); with one installed it only builds and lints.
set -euo pipefail
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$SRC_DIR/scripts/lib.sh"
need_root

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
deb=$("$SRC_DIR/scripts/build-deb.sh" "$WORK")
if [ -e /etc/littlepbx/install-manifest ] || dpkg-query -W littlepbx >/dev/null 2>&1; then
  log "LittlePBX is installed here: the package was built and linted, not installed"
  exit 0
fi

log "installing $(basename "$deb")"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends "$deb" >"$WORK/install.log" 2>&1 \
  || { tail -40 "$WORK/install.log" >&2; die "the package did not install"; }
grep -q "LittlePBX is running" "$WORK/install.log" || die "the package's configure step printed no summary"
/usr/local/sbin/littlepbxctl status >&2 || die "littlepbxctl status: not every service runs"
curl -fsS -o /dev/null "http://127.0.0.1:8080/login" || die "the web app does not answer"
/opt/littlepbx/venv/bin/python - <<'PY' || die "the demo organization was not applied"
import os
os.environ["LITTLEPBX_CONFIG"] = "/etc/littlepbx/littlepbx.conf"
from sqlalchemy import create_engine, text
from littlepbx.config import load_config
engine = create_engine(load_config()["DATABASE_URL"])
with engine.connect() as connection:
    state = connection.execute(text("SELECT state FROM apply_runs ORDER BY id DESC LIMIT 1")).scalar()
assert state == "applied", state
PY

log "purging the package"
apt-get purge -y -qq littlepbx >"$WORK/purge.log" 2>&1 || { tail -40 "$WORK/purge.log" >&2; die "purge failed"; }
left=()
for path in /opt/littlepbx /etc/littlepbx /var/lib/littlepbx /var/log/littlepbx /usr/share/littlepbx \
            /usr/local/sbin/littlepbxctl /etc/systemd/system/littlepbx-web.service; do
  [ ! -e "$path" ] || left+=("$path")
done
for account in littlepbx littlepbx-asterisk; do
  ! id "$account" >/dev/null 2>&1 || left+=("user $account")
  ! getent group "$account" >/dev/null || left+=("group $account")  # a next install's useradd stops at it
done
mysql_root <<<"SHOW DATABASES LIKE 'littlepbx'" | grep -q littlepbx && left+=("database littlepbx")
[ ${#left[@]} -eq 0 ] || die "the purge left: ${left[*]}"
log "the package installed LittlePBX, and its purge removed it"
