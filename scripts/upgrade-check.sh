#!/usr/bin/env bash
# Install the previous release (scripts/previous-release), use it (its demo phone registers,
# an integrator's token lists the organizations), upgrade it to this tree with this install.sh,
# and check that the upgrade migrated the database, kept every secret and credential, restarted
# only what changed and left a working system; then purge it. Run as root on a machine without
# LittlePBX (CI runs it after the tests); with one installed it does nothing.
set -euo pipefail
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$SRC_DIR/scripts/lib.sh"
need_root
if [ -e /etc/littlepbx/install-manifest ]; then
  log "LittlePBX is installed here: no upgrade check"
  exit 0
fi
read -r VERSION COMMIT < <(grep -v '^#' "$SRC_DIR/scripts/previous-release")
WORK=$(mktemp -d)
finish() {
  "$SRC_DIR/uninstall.sh" --purge >"$WORK/purge.log" 2>&1 || tail -20 "$WORK/purge.log" >&2
  rm -rf "$WORK"
}
trap finish EXIT
CONF=/etc/littlepbx/littlepbx.conf
KEPT="SECRET_KEY DB_PASSWORD ASTERISK_DB_PASSWORD ASTERISK_AMI_SECRET ASTERISK_ARI_PASSWORD PUBLIC_URL"
value_of() { sed -n "s/^$1 *= *//p" "$CONF" | tail -n 1; }

log "installing release $VERSION (commit ${COMMIT:0:12})"
mkdir "$WORK/old"
git -C "$SRC_DIR" archive "$COMMIT" | tar -x -C "$WORK/old"
(cd "$WORK/old" && ./install.sh) >"$WORK/old.log" 2>&1 || { tail -30 "$WORK/old.log" >&2; die "release $VERSION did not install"; }
# shellcheck disable=SC1090
. <(grep -E '^[A-Z0-9_]+=' /etc/littlepbx/initial-credentials)
register() {
  sipp -sf "$SRC_DIR/tests/asterisk/register.xml" -i 127.0.0.1 -p 25999 -m 1 -au "$EXT_100_USERNAME" \
    -ap "$EXT_100_PASSWORD" -key user "$EXT_100_USERNAME" -nostdin -timeout 15 -timeout_error \
    "127.0.0.1:$(value_of ASTERISK_SIP_PORT | grep . || echo 5060)" >"$WORK/sipp.log" 2>&1
}
register || die "the old release's demo phone did not register"
orgs() { curl -fsS "http://127.0.0.1:8080/api/v1/orgs" -H "Authorization: Bearer $API_TOKEN"; }
orgs | grep -q '"demo"' || die "the old release's API does not list the demo organization"
declare -A before
for key in $KEPT; do before[$key]=$(value_of "$key"); done

log "upgrading to this tree"
(cd "$SRC_DIR" && ./install.sh) >"$WORK/new.log" 2>&1 || { tail -30 "$WORK/new.log" >&2; die "the upgrade failed"; }
grep -q "LittlePBX is running" "$WORK/new.log" || die "the upgrade printed no summary"
for key in $KEPT; do
  [ "$(value_of "$key")" = "${before[$key]}" ] || die "the upgrade changed $key"
done
LITTLEPBX_CONFIG=$CONF /opt/littlepbx/venv/bin/littlepbx health >"$WORK/health.log" 2>&1 || true
grep -q "current)" "$WORK/health.log" || { cat "$WORK/health.log" >&2; die "the database schema is not current after the upgrade"; }
# As the services run (their account and groups): Asterisk's control socket runs their commands.
runuser -u littlepbx -- env LITTLEPBX_CONFIG=$CONF /opt/littlepbx/venv/bin/littlepbx health >"$WORK/health.log" 2>&1 \
  || { cat "$WORK/health.log" >&2; die "the health check fails as the services' account after the upgrade"; }
grep -Eq "(restarting|left running)" "$WORK/new.log" || die "the upgrade did not say what it restarted"
orgs | grep -q '"demo"' || die "the integrator's token no longer works after the upgrade"
register || die "the demo phone's credentials no longer register after the upgrade"
LITTLEPBX_CONFIG=$CONF /opt/littlepbx/venv/bin/littlepbx apply demo --timeout 60 >"$WORK/apply.log" 2>&1 \
  || { cat "$WORK/apply.log" >&2; die "an Apply after the upgrade did not finish"; }
grep -E "restarting|left running" "$WORK/new.log" | sed 's/^/  /' >&2

# The same tree installed again from another directory (a fresh clone, an unpacked release)
# changes nothing that runs: every service is left running, Asterisk above all.
log "installing this tree again from another directory"
mkdir "$WORK/again"
tar -C "$SRC_DIR" --exclude=.git --exclude=.venv --exclude=test-artifacts --exclude=__pycache__ -cf - . \
  | tar -C "$WORK/again" -xf -
(cd "$WORK/again" && ./install.sh) >"$WORK/again.log" 2>&1 || { tail -30 "$WORK/again.log" >&2; die "the rerun failed"; }
if grep -q "restarting" "$WORK/again.log"; then
  grep -E "restarting|left running" "$WORK/again.log" >&2
  die "installing the same tree again restarted a service"
fi
log "release $VERSION upgraded to this tree: secrets, logins and phones kept, schema current; a rerun restarted nothing"
